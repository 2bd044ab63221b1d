import type { ServerResponse } from 'node:http';
import { GATEWAY_RESPONSES, type GatewayResponseKind } from '../../config/gateway-responses';
import { CORRELATION_HEADER } from '../../functions/auth/claims';
import type { ErrorEnvelope } from '../../functions/shared/http/error-envelope';

/** An HTTP answer of the front, whoever produced it: a handler, the gateway, a local endpoint. */
export interface HttpReply {
  readonly statusCode: number;
  /** Lower-case names; several values for a header sent more than once (Set-Cookie). */
  readonly headers: Readonly<Record<string, readonly string[]>>;
  readonly body: Buffer;
}

export function jsonReply(
  statusCode: number,
  body: unknown,
  headers: Readonly<Record<string, readonly string[]>> = {},
): HttpReply {
  return {
    statusCode,
    headers: { 'content-type': ['application/json'], ...headers },
    body: Buffer.from(JSON.stringify(body)),
  };
}

export function errorReply(
  statusCode: number,
  error: ErrorEnvelope['error'],
  correlationId: string,
): HttpReply {
  const envelope: ErrorEnvelope = { error, correlationId };
  return jsonReply(statusCode, envelope, { [CORRELATION_HEADER]: [correlationId] });
}

/**
 * A response API Gateway makes itself, from config/gateway-responses.ts. A denying authorizer may
 * name its own code and message (`override`). As in AWS, no handler has run, so the caller's
 * correlation id plays no part: `correlationId` is the request id, and no `x-correlation-id`
 * header is sent (API Gateway cannot put the request id in a gateway response header).
 */
export function gatewayReply(
  kind: GatewayResponseKind,
  requestId: string,
  override?: { code?: string; message?: string },
): HttpReply {
  const response = GATEWAY_RESPONSES[kind];
  return frontErrorReply(
    response.status,
    { code: override?.code ?? response.code, message: override?.message ?? response.message },
    requestId,
    response.headers,
  );
}

/** An error the front itself answers (a gateway response, or a local-only one), shaped like a gateway response. */
export function frontErrorReply(
  statusCode: number,
  error: ErrorEnvelope['error'],
  requestId: string,
  headers: Readonly<Record<string, string>> = {},
): HttpReply {
  const envelope: ErrorEnvelope = { error, correlationId: requestId };
  return jsonReply(
    statusCode,
    envelope,
    Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), [value]])),
  );
}

export function send(response: ServerResponse, reply: HttpReply): void {
  if (response.headersSent) return;
  for (const [name, values] of Object.entries(reply.headers)) response.setHeader(name, [...values]);
  response.statusCode = reply.statusCode;
  response.end(reply.body);
}
