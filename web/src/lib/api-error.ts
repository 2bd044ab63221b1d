/** The API's error envelope (docs/api.md "Errors"), read defensively: a proxy or S3 may answer otherwise. */
export interface ApiProblem {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly details: readonly { path?: string; code?: string; message: string }[];
  readonly correlationId?: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const FALLBACK_MESSAGES: Record<number, string> = {
  401: 'Your session has ended. Sign in again.',
  403: 'You are not allowed to do this.',
  404: 'Not found.',
  429: 'Too many requests: wait a moment and try again.',
};

/** Turns any failed answer into one problem a page can show: code, message, details, correlation id. */
export function toApiProblem(status: number, body: unknown): ApiProblem {
  const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  const correlationId =
    isRecord(body) && typeof body.correlationId === 'string' ? body.correlationId : undefined;
  const details = Array.isArray(error?.details)
    ? error.details.filter(isRecord).map((detail) => ({
        ...(typeof detail.path === 'string' ? { path: detail.path } : {}),
        ...(typeof detail.code === 'string' ? { code: detail.code } : {}),
        message: typeof detail.message === 'string' ? detail.message : 'Invalid value.',
      }))
    : [];
  return {
    status,
    code: typeof error?.code === 'string' ? error.code : status === 0 ? 'NETWORK_ERROR' : `HTTP_${status}`,
    message:
      typeof error?.message === 'string'
        ? error.message
        : status === 0
          ? 'The server could not be reached. Check your connection and try again.'
          : (FALLBACK_MESSAGES[status] ??
            (status >= 500
              ? 'Something went wrong on our side. Try again.'
              : `The request failed (${status}).`)),
    details,
    ...(correlationId ? { correlationId } : {}),
  };
}

/** One line for a banner: the message, then the correlation id to quote when reporting it. */
export function describeProblem(problem: ApiProblem): string {
  return problem.correlationId ? `${problem.message} (reference ${problem.correlationId})` : problem.message;
}
