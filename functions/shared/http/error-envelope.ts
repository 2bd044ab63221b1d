import { z } from 'zod';
import { type AppError, type ErrorDetail, type ErrorKind, ThrottledError } from '../errors';

/** The one mapping from error kinds to HTTP statuses. */
export const STATUS_BY_KIND: Readonly<Record<ErrorKind, number>> = {
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PRECONDITION_FAILED: 412,
  PRECONDITION_REQUIRED: 428,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  VALIDATION: 422,
  FAILED_DEPENDENCY: 424,
  THROTTLED: 429,
};

const errorDetailSchema: z.ZodType<ErrorDetail> = z.object({
  path: z.string().optional().describe('Where the problem is, e.g. `body.locale` or `query.limit`.'),
  code: z.string().optional(),
  message: z.string(),
});

/** What every error answers, whoever produces it (handler, authorizer, gateway); the OpenAPI document's too. */
export const errorEnvelopeSchema = z.object({
  error: z.object({
    code: z.string().describe('Stable and machine-readable, e.g. `VALIDATION_FAILED`; see docs/api.md.'),
    message: z.string().describe('For people: what went wrong and what to do about it.'),
    details: z.array(errorDetailSchema).readonly().optional().describe('One per offending field.'),
  }),
  correlationId: z
    .string()
    .describe('Quote it when reporting a problem; errors of the gateway carry its request id instead.'),
});

export type ErrorEnvelope = z.infer<typeof errorEnvelopeSchema>;

export interface HttpErrorResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly envelope: ErrorEnvelope;
}

export function errorResponse(error: AppError, correlationId: string): HttpErrorResponse {
  const headers: Record<string, string> = {};
  if (error instanceof ThrottledError) headers['retry-after'] = String(error.retryAfterSeconds);
  return {
    statusCode: STATUS_BY_KIND[error.kind],
    headers,
    envelope: {
      error: {
        code: error.code,
        message: error.message,
        ...(error.details ? { details: error.details } : {}),
      },
      correlationId,
    },
  };
}

/** What a caller sees for a fault that is ours, not theirs: no internals, only the id to quote. */
export function internalErrorResponse(correlationId: string): HttpErrorResponse {
  return {
    statusCode: 500,
    headers: {},
    envelope: {
      error: {
        code: 'INTERNAL',
        message: 'Muster failed to handle this request. Retry; if it persists, quote the correlation id.',
      },
      correlationId,
    },
  };
}
