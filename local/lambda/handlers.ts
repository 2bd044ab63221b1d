import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from '../environment';
import { lambdaContext } from './context';

/** A handler as config/ names it: a module relative to the repository root and its export. */
export interface HandlerReference {
  readonly entry: string;
  readonly export: string;
}

export type LambdaHandler = (event: unknown, context: Context) => unknown;

/** Resolves a handler reference to the handler function. */
export type LoadHandler = (reference: HandlerReference) => Promise<LambdaHandler>;

/**
 * Imports a handler module. `attempt` counts the failed imports of this module so far: Node keeps a
 * module whose evaluation threw in that failed state for good, so a retry must import it under
 * another URL to evaluate it again.
 */
export type ImportModule = (entry: string, attempt: number) => Promise<Record<string, unknown>>;

/** Runs a handler in-process with a fresh Lambda context, as one invocation. */
export type InvokeHandler = (
  reference: HandlerReference,
  event: unknown,
  timeoutMs: number,
) => Promise<unknown>;

/** API Gateway gives up on an integration after 29 s. */
export const API_TIMEOUT_MS = 29_000;
/** What asynchronous targets (event rules, state machine tasks) get; CDK's default function timeout is longer. */
export const ASYNC_TIMEOUT_MS = 60_000;

function isLambdaHandler(value: unknown): value is LambdaHandler {
  return typeof value === 'function';
}

/** `functions/identity/handlers/me.ts` + `getMe` → `identity-me-getMe`, a readable stand-in for the CDK name. */
export function functionNameOf(reference: HandlerReference): string {
  const module = reference.entry
    .replace(/^functions\//, '')
    .replace(/\.[cm]?[jt]s$/, '')
    .split('/')
    .filter((segment) => segment !== 'handlers')
    .join('-');
  return reference.export === 'handler' ? module : `${module}-${reference.export}`;
}

/**
 * The one handler loader of the local stack (API front, event bus and Step Functions alike): each
 * module is imported once and kept, like a warm Lambda container, so module-level state (SDK
 * clients, configuration read at cold start) lives on between invocations. An import that fails
 * is forgotten, and the next invocation imports the module afresh, as Lambda retries a failed
 * init; a fix to that module's own file is picked up then. (A module it imports whose evaluation
 * threw stays failed until the stack restarts: Node keeps it so.)
 */
export function createHandlerLoader(importModule: ImportModule): LoadHandler {
  const modules = new Map<string, Promise<Record<string, unknown>>>();
  const failedImports = new Map<string, number>();

  function moduleOf(entry: string): Promise<Record<string, unknown>> {
    const cached = modules.get(entry);
    if (cached) return cached;
    const attempt = failedImports.get(entry) ?? 0;
    const loading = importModule(entry, attempt);
    modules.set(entry, loading);
    loading.catch(() => {
      modules.delete(entry);
      failedImports.set(entry, attempt + 1);
    });
    return loading;
  }

  return async (reference) => {
    const handler = (await moduleOf(reference.entry))[reference.export];
    if (!isLambdaHandler(handler)) {
      throw new Error(`${reference.entry} has no function export named "${reference.export}"`);
    }
    return handler;
  };
}

/**
 * Lambda runs one invocation at a time per instance; the local stack runs every function in one
 * process, concurrently, and they share the one logger of functions/shared/observability.ts. Each
 * invocation logs through its own child of it, so an audit writer's correlation id never lands on a
 * route's lines. Imported on first use: the module reads the handler environment when it loads.
 * (Powertools Metrics stays one per process here: an invocation may publish what another recorded.)
 */
function inItsOwnLogScope(handler: LambdaHandler): LambdaHandler {
  return async (event, context) => {
    const { withLogScope } = await import('../../functions/shared/observability');
    return withLogScope({}, async () => handler(event, context));
  };
}

/** Dynamic `import()` of `<repoRoot>/<entry>`; a retry after a failed import adds `?attempt=<n>`. */
export function repositoryModuleImporter(repoRoot: string): ImportModule {
  return (entry, attempt) => {
    const url = pathToFileURL(join(repoRoot, entry));
    if (attempt > 0) url.searchParams.set('attempt', String(attempt));
    return import(url.href);
  };
}

export interface LocalHandlers {
  /** The handler function itself, for engines that build their own invocation (Step Functions). */
  readonly load: LoadHandler;
  readonly invoke: InvokeHandler;
}

/**
 * Handlers of the repository, loaded by `createHandlerLoader`. Use only after the handler
 * environment is on `process.env`: modules read it when they load.
 */
export function createLocalHandlers(
  repoRoot: string,
  importModule: ImportModule = repositoryModuleImporter(repoRoot),
): LocalHandlers {
  const loadExport = createHandlerLoader(importModule);
  const load: LoadHandler = async (reference) => inItsOwnLogScope(await loadExport(reference));
  return {
    load,
    async invoke(reference, event, timeoutMs) {
      const handler = await load(reference);
      const functionName = functionNameOf(reference);
      return await handler(
        event,
        lambdaContext({
          functionName,
          invokedFunctionArn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:${functionName}`,
          timeoutMs,
        }),
      );
    },
  };
}
