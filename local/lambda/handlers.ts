import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from '../environment';

/** A handler as config/ names it: a module relative to the repository root and its export. */
export interface HandlerReference {
  readonly entry: string;
  readonly export: string;
}

export type LambdaHandler = (event: unknown, context: Context) => unknown;

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

export function lambdaContext(reference: HandlerReference, timeoutMs: number): Context {
  const functionName = functionNameOf(reference);
  const deadline = Date.now() + timeoutMs;
  const unsupported = () => {
    throw new Error('The local stack does not support callback-style completion; return a promise.');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

export interface LocalHandlers {
  /** The handler function itself, for engines that build their own invocation (Step Functions). */
  load(reference: HandlerReference): Promise<LambdaHandler>;
  invoke: InvokeHandler;
}

/**
 * Loads handlers with dynamic `import()` of `<repoRoot>/<entry>`, each module once, like a warm
 * Lambda container: module-level state (SDK clients, configuration read at cold start) lives on
 * between invocations. Use only after the handler environment is on `process.env`.
 */
export function createLocalHandlers(repoRoot: string): LocalHandlers {
  const modules = new Map<string, Promise<Record<string, unknown>>>();

  async function load(reference: HandlerReference): Promise<LambdaHandler> {
    let module = modules.get(reference.entry);
    if (!module) {
      module = import(pathToFileURL(join(repoRoot, reference.entry)).href);
      modules.set(reference.entry, module);
    }
    const handler = (await module)[reference.export];
    if (!isLambdaHandler(handler)) {
      throw new Error(`${reference.entry} has no function export named "${reference.export}"`);
    }
    return handler;
  }

  return {
    load,
    async invoke(reference, event, timeoutMs) {
      const handler = await load(reference);
      return await handler(event, lambdaContext(reference, timeoutMs));
    },
  };
}
