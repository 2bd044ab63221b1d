/**
 * The typed error hierarchy. Use-cases and domain code throw these; they know nothing of HTTP.
 * `functions/shared/http/error-envelope.ts` is the one place that maps a kind to a status.
 */
export type ErrorKind =
  | 'BAD_REQUEST'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'PRECONDITION_FAILED'
  | 'PRECONDITION_REQUIRED'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'VALIDATION'
  | 'FAILED_DEPENDENCY'
  | 'THROTTLED';

export interface ErrorDetail {
  readonly path?: string;
  readonly code?: string;
  readonly message: string;
}

export abstract class AppError extends Error {
  abstract readonly kind: ErrorKind;
  constructor(
    /** Stable machine-readable code, e.g. `EMAIL_TAKEN`. */
    readonly code: string,
    message: string,
    readonly details?: readonly ErrorDetail[],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class BadRequestError extends AppError {
  readonly kind = 'BAD_REQUEST';
}
export class UnauthenticatedError extends AppError {
  readonly kind = 'UNAUTHENTICATED';
}
export class ForbiddenError extends AppError {
  readonly kind = 'FORBIDDEN';
}
export class NotFoundError extends AppError {
  readonly kind = 'NOT_FOUND';
}
export class ConflictError extends AppError {
  readonly kind = 'CONFLICT';
}
/** An optimistic-concurrency check failed (`version` or `If-Match` did not match). */
export class PreconditionFailedError extends AppError {
  readonly kind = 'PRECONDITION_FAILED';
}
/** A write that must be guarded by a version was sent without one (no `If-Match`). */
export class PreconditionRequiredError extends AppError {
  readonly kind = 'PRECONDITION_REQUIRED';
}
export class PayloadTooLargeError extends AppError {
  readonly kind = 'PAYLOAD_TOO_LARGE';
}
export class UnsupportedMediaTypeError extends AppError {
  readonly kind = 'UNSUPPORTED_MEDIA_TYPE';
}
/** Well-formed input that breaks a rule: a field is missing, too long, of the wrong shape. */
export class ValidationError extends AppError {
  readonly kind = 'VALIDATION';
}
/** A `$batch` request was not run because a request it depends on failed. */
export class FailedDependencyError extends AppError {
  readonly kind = 'FAILED_DEPENDENCY';
}
export class ThrottledError extends AppError {
  readonly kind = 'THROTTLED';
  constructor(
    code: string,
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(code, message);
  }
}
