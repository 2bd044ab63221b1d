import { CORRELATION_HEADER } from '../../auth/claims';
import { FailedDependencyError, ThrottledError } from '../../shared/errors';
import { errorResponse } from '../../shared/http/error-envelope';
import type { BatchResponseItem } from '../domain/envelope';
import type { BatchOutcome } from '../use-cases/run-batch';

/** A request's answer in the envelope: the route's own, or the refusal of a request not run, in the error envelope. */
export function responseOf(outcome: BatchOutcome, correlationId: string): BatchResponseItem {
  if (outcome.kind === 'answered') {
    const { id, status, headers, body } = outcome;
    return { id, status, ...(headers && Object.keys(headers).length > 0 ? { headers } : {}), body };
  }
  const refusal =
    outcome.kind === 'throttled'
      ? new ThrottledError(
          'RATE_LIMITED',
          `Not run: the batch went past your requests for this minute. Retry it after ${outcome.retryAfterSeconds} s.`,
          outcome.retryAfterSeconds,
        )
      : new FailedDependencyError('DEPENDENCY_FAILED', outcome.message);
  const requestCorrelationId = `${correlationId}:${outcome.id}`;
  const { statusCode, headers, envelope } = errorResponse(refusal, requestCorrelationId);
  return {
    id: outcome.id,
    status: statusCode,
    // As a request that ran: a request not run has its own correlation id too.
    headers: { ...headers, [CORRELATION_HEADER]: requestCorrelationId },
    body: envelope,
  };
}
