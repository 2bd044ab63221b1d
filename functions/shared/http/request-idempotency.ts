import type { Context } from 'aws-lambda';
import type { HttpResult } from './api-route';

/** What makes two requests under one key the same request. */
export interface IdempotentRequest {
  readonly tenantId: string;
  /** The caller's key, scoped to the caller: `<userId>/<Idempotency-Key>`. */
  readonly key: string;
  readonly request: {
    readonly method: string;
    /** The route's template, e.g. `/v1/admin/users/{userId}`, and its decoded parameters. */
    readonly route: string;
    readonly params: unknown;
    readonly query: unknown;
    readonly body: unknown;
  };
}

/**
 * Runs a request at most once per key (issue 5, `$batch` scenario 15). A success is stored and a
 * repeat of the same request answers it again, marked `idempotent-replayed: true`, without running.
 * A failure is not stored, so retrying the same key runs it again. The same key with another
 * method, path, query or body is a 409 `IDEMPOTENCY_KEY_REUSED`; while the first request under a key
 * is still running, a second gets 409 `IDEMPOTENCY_KEY_IN_USE`.
 */
export interface RequestIdempotency {
  once(request: IdempotentRequest, work: () => Promise<HttpResult>, context: Context): Promise<HttpResult>;
}

export const REPLAYED_HEADER = 'idempotent-replayed';
