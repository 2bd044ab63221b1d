import type { z } from 'zod';
import {
  BadRequestError,
  type ErrorDetail,
  PayloadTooLargeError,
  PreconditionRequiredError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../errors';

/** Default cap on a JSON request body; API Gateway's own 10 MB limit applies before it. */
export const DEFAULT_MAX_JSON_BODY_BYTES = 1024 * 1024;

export const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's correlation id when it is well-formed, else the platform's request id. */
export function correlationIdFrom(headerValue: string | undefined, requestId: string): string {
  return headerValue && CORRELATION_ID.test(headerValue) ? headerValue : requestId;
}

export function headerValue(
  headers: Record<string, string | undefined> | null,
  name: string,
): string | undefined {
  if (!headers) return undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

/**
 * Parses a JSON request body: the media type must be JSON, the size within `maxBytes`, the text
 * valid JSON. Each failure gets its own status and a message that says what to change.
 */
export function parseJsonBody(
  body: string | null,
  isBase64Encoded: boolean,
  contentType: string | undefined,
  maxBytes: number,
): unknown {
  if (body === null || body === '') {
    throw new BadRequestError('BODY_REQUIRED', 'This request needs a JSON body.');
  }
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json' && !mediaType?.endsWith('+json')) {
    throw new UnsupportedMediaTypeError(
      'UNSUPPORTED_MEDIA_TYPE',
      `Send the body as JSON with "content-type: application/json" (got ${mediaType ? `"${mediaType}"` : 'none'}).`,
    );
  }
  const text = isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;
  const size = Buffer.byteLength(text, 'utf8');
  if (size > maxBytes) {
    throw new PayloadTooLargeError(
      'PAYLOAD_TOO_LARGE',
      `The body is ${size} bytes; this route accepts at most ${maxBytes} bytes.`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    const reason = error instanceof SyntaxError ? error.message : 'unreadable';
    throw new BadRequestError('MALFORMED_JSON', `The body is not valid JSON: ${reason}.`);
  }
}

/** Validates input with a zod schema; every problem becomes a detail naming the field. */
export function validate<TSchema extends z.ZodType>(
  schema: TSchema,
  value: unknown,
  part: string,
): z.infer<TSchema> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details: ErrorDetail[] = result.error.issues.map((issue) => ({
    path: [part, ...issue.path.map(String)].join('.'),
    code: issue.code,
    message: issue.message,
  }));
  throw new ValidationError(
    'VALIDATION_FAILED',
    `The request ${part} is invalid: ${details[0]?.message}.`,
    details,
  );
}

/** A resource version as an ETag: `"3"`. */
export function versionTag(version: number): string {
  return `"${version}"`;
}

/**
 * The version an `If-Match` header asks for (`"3"`, `W/"3"` or `3`), undefined without one; any
 * other value is a 400, never silently ignored (the caller meant to guard the write).
 */
export function expectedVersion(headers: Readonly<Record<string, string | undefined>>): number | undefined {
  const value = headerValue({ ...headers }, 'if-match');
  if (value === undefined) return undefined;
  const match = /^(?:W\/)?"?(\d{1,9})"?$/.exec(value.trim());
  if (!match?.[1]) {
    throw new BadRequestError(
      'INVALID_IF_MATCH',
      'If-Match must be the ETag the resource was read with, e.g. "3".',
    );
  }
  return Number(match[1]);
}

/** The version a guarded write must name: without `If-Match` it is a 428, never a blind overwrite. */
export function requiredVersion(headers: Readonly<Record<string, string | undefined>>): number {
  const version = expectedVersion(headers);
  if (version === undefined) {
    throw new PreconditionRequiredError(
      'IF_MATCH_REQUIRED',
      'Send If-Match with the ETag the user was read with (GET it first), e.g. If-Match: "3".',
    );
  }
  return version;
}

/** RFC 3986 unreserved characters; a UUID fits, and so does a `$batch` key joined to an item id. */
export const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:~-]{1,255}$/;

/** The request's `Idempotency-Key`, undefined without one; a malformed key is a 400, never ignored. */
export function idempotencyKeyOf(headers: Readonly<Record<string, string | undefined>>): string | undefined {
  const key = headerValue({ ...headers }, 'idempotency-key');
  if (key === undefined || IDEMPOTENCY_KEY.test(key)) return key;
  throw new BadRequestError(
    'INVALID_IDEMPOTENCY_KEY',
    'Idempotency-Key must be 1 to 255 letters, digits, ".", "_", ":", "~" or "-" (a UUID will do).',
  );
}
