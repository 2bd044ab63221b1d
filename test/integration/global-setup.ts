import type { TestProject } from 'vitest/node';
import type { EngineEndpoints } from '../../local/environment';
import { startLocalStack } from '../../local/stack';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The local API front, e.g. `http://127.0.0.1:41234`. */
    apiUrl: string;
    /** Where the SDK clients of a test point to reach each local engine. */
    endpoints: EngineEndpoints;
    /** The environment the handlers run with (table, bucket and bus names, issuer, flags). */
    env: Record<string, string>;
  }
}

/**
 * One local stack for the whole integration run: free ports, throwaway storage. Tests reach it
 * over HTTP and the engines' endpoints; they never share its process.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stack = await startLocalStack();
  project.provide('apiUrl', stack.apiUrl);
  project.provide('endpoints', stack.endpoints);
  project.provide('env', { ...stack.env });
  return () => stack.stop();
}
