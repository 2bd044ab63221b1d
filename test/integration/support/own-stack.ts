import { vi } from 'vitest';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../../local/stack';

/**
 * A local stack of the test file's own, in its worker, for settings the shared stack cannot have
 * (flags off, a small quota). `env` is set on this process first, as `npm start` reads it (a stack
 * keeps a flag or limit already in the environment). `stop` also gives the worker its environment
 * back, since the stack put its own on `process.env` and the worker may run another file next.
 */
export async function startOwnStack(
  env: Readonly<Record<string, string>>,
  options: LocalStackOptions = {},
): Promise<{ readonly stack: LocalStack; readonly stop: () => Promise<void> }> {
  const envBeforeStack = { ...process.env };
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  const stack = await startLocalStack(options);
  return {
    stack,
    async stop() {
      await stack.stop();
      vi.unstubAllEnvs();
      for (const name of Object.keys(stack.env)) {
        const before = envBeforeStack[name];
        if (before === undefined) delete process.env[name];
        else process.env[name] = before;
      }
    },
  };
}
