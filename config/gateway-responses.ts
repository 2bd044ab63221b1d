/**
 * Responses API Gateway produces itself, before any handler runs: an authorizer refusal, an
 * unknown route, an oversized body, throttling. Both the CDK API construct (as gateway response
 * templates) and the local API front use these, so a client sees the same JSON error envelope
 * `{error:{code,message}, correlationId}` whoever answers. No handler has run, so the caller's
 * `x-correlation-id` is not honoured: `correlationId` is API Gateway's request id
 * (`$context.requestId`), and no `x-correlation-id` header is sent: API Gateway documents only
 * request parameters and static values as sources of gateway response headers.
 */
export type GatewayResponseKind =
  | 'UNAUTHORIZED'
  | 'ACCESS_DENIED'
  | 'ROUTE_NOT_FOUND'
  | 'REQUEST_TOO_LARGE'
  | 'THROTTLED'
  | 'INTEGRATION_FAILURE';

export interface GatewayResponseDefinition {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  /**
   * Extra response headers, by lower-case name, with literal values: CDK sends each as a static
   * gateway response parameter (`'value'`), the local front as is.
   */
  readonly headers?: Readonly<Record<string, string>>;
}

export const GATEWAY_RESPONSES: Readonly<Record<GatewayResponseKind, GatewayResponseDefinition>> = {
  UNAUTHORIZED: {
    status: 401,
    code: 'UNAUTHENTICATED',
    message: 'Missing or invalid credentials: send a valid bearer token or session cookie.',
  },
  ACCESS_DENIED: {
    status: 403,
    code: 'FORBIDDEN',
    message: 'The request was refused before it reached Muster.',
  },
  ROUTE_NOT_FOUND: {
    status: 404,
    code: 'ROUTE_NOT_FOUND',
    message: 'No such route. Check the method and path against the API reference.',
  },
  REQUEST_TOO_LARGE: {
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
    message: 'The request body is larger than the API accepts.',
  },
  THROTTLED: {
    status: 429,
    code: 'THROTTLED',
    message: 'Too many requests: retry after a short pause.',
    headers: { 'retry-after': '1' },
  },
  INTEGRATION_FAILURE: {
    status: 502,
    code: 'UPSTREAM_FAILURE',
    message: 'Muster could not answer this request. Retry; if it persists, quote the correlation id.',
  },
};

/**
 * An authorizer that refuses a request (a Deny policy) may name why in its context; the
 * gateway response then carries that code and message instead of the generic ones.
 */
export const AUTHORIZER_DENIAL_CONTEXT = { code: 'denialCode', message: 'denialMessage' } as const;
