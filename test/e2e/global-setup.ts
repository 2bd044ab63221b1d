import { build } from 'vite';
import type { TestProject } from 'vitest/node';
import { fromRepositoryRoot } from '../../lib/shared/repository';
import { startLocalStack } from '../../local/stack';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The console served by the local stack, e.g. `http://127.0.0.1:41234/console/`. */
    consoleUrl: string;
  }
}

/**
 * Builds the console (what `npm run web:build` produces in web/dist) and starts one local stack
 * for the e2e run, which serves that build under /console/ on the API's own origin.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  await buildForProduction();
  const stack = await startLocalStack();
  project.provide('apiUrl', stack.apiUrl);
  project.provide('consoleUrl', stack.consoleUrl);
  project.provide('endpoints', stack.endpoints);
  project.provide('env', { ...stack.env });
  return () => stack.stop();
}

/**
 * The build `npm run web:build` makes: vitest runs with NODE_ENV=test, which Vite would carry into
 * the bundle (React's development build, not what ships), so the build sees production.
 */
async function buildForProduction(): Promise<void> {
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      configFile: fromRepositoryRoot('web/vite.config.ts'),
      logLevel: 'warn',
      mode: 'production',
    });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
}
