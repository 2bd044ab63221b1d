import type { TestProject } from 'vitest/node';
import { buildConsole } from '../../local/console-build';
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
  await buildConsole();
  const stack = await startLocalStack();
  project.provide('apiUrl', stack.apiUrl);
  project.provide('consoleUrl', stack.consoleUrl);
  project.provide('endpoints', stack.endpoints);
  project.provide('env', { ...stack.env });
  return () => stack.stop();
}
