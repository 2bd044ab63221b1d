import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { MAX_REQUEST_BODY_BYTES, type RouteDefinition } from '../../config/routes';
import { CORRELATION_HEADER } from '../../functions/auth/claims';
import { correlationIdFrom } from '../../functions/shared/http/request-parsing';
import { createRouter } from '../../functions/shared/http/router';
import { discardRestOfBody, readBody } from '../http-body';
import { API_TIMEOUT_MS, type HandlerReference, type InvokeHandler } from '../lambda/handlers';
import { log } from '../log';
import { closeServer, LOOPBACK, listen } from '../net';
import { authorize } from './authorizer';
import type { ConsoleAssets } from './console-assets';
import type { LocalRoute } from './local-endpoints';
import {
  type AuthorizerContext,
  buildAuthorizerEvent,
  buildProxyEvent,
  type RequestSnapshot,
} from './proxy-event';
import { replyFromProxyResult } from './proxy-result';
import { frontErrorReply, gatewayReply, type HttpReply, send } from './reply';

/** What the front serves once the engines, the table and the migrations are ready. */
export interface ApiApplication {
  readonly routes: readonly RouteDefinition[];
  readonly authorizer: HandlerReference;
  readonly localRoutes: readonly LocalRoute[];
  readonly invoke: InvokeHandler;
  /** The admin console's static files under `/console/` (local/api/console-assets.ts). */
  readonly console?: ConsoleAssets;
}

export interface ApiFront {
  readonly url: string;
  /** Starts answering; until then every request gets a 503. */
  serve(app: ApiApplication): void;
  stop(): Promise<void>;
}

/**
 * The local API Gateway: turns each request into a REST (v1) proxy event and calls the route's
 * handler in-process, after the REQUEST authorizer for `principal` routes; answers what API
 * Gateway answers itself (unknown route, body too large, authorizer refusal, handler failure)
 * with the gateway responses of config/gateway-responses.ts.
 *
 * It listens before the engines start: a taken port fails in milliseconds instead of after
 * DynamoDB Local has booted, and the issuer URL (which contains the port) is known up front.
 */
export async function openApiFront(port: number): Promise<ApiFront> {
  let dispatch: Dispatch | undefined;
  const server = createServer((request, response) => {
    const requestId = randomUUID();
    if (!dispatch) {
      request.resume();
      send(response, starting(requestId));
      return;
    }
    dispatch(request, response, requestId).catch((error: unknown) => {
      // A client that hung up mid-request has nobody left to answer or to tell.
      if (request.socket.destroyed) return;
      log.error(`${request.method} ${request.url} failed in the local API front`, error);
      send(response, gatewayReply('INTEGRATION_FAILURE', requestId));
    });
  });
  const boundPort = await listen(server, port);
  return {
    url: `http://${LOOPBACK}:${boundPort}`,
    serve(app) {
      dispatch = createDispatcher(app);
    },
    stop: () => closeServer(server),
  };
}

type Dispatch = (request: IncomingMessage, response: ServerResponse, requestId: string) => Promise<void>;

function starting(requestId: string): HttpReply {
  return frontErrorReply(
    503,
    { code: 'LOCAL_STACK_STARTING', message: 'The local stack is still starting: retry in a moment.' },
    requestId,
  );
}

function createDispatcher(app: ApiApplication): Dispatch {
  const matchLocal = createRouter(app.localRoutes);
  const matchRoute = createRouter(app.routes);

  return async (request, response, requestId) => {
    const requestTimeEpoch = Date.now();
    const headers = headerSnapshot(request);
    const method = request.method ?? 'GET';
    const url = request.url ?? '/';
    const path = url.split('?')[0] ?? '/';

    const body = await readBody(request, MAX_REQUEST_BODY_BYTES);
    if (body === undefined) {
      discardRestOfBody(request, response);
      send(response, gatewayReply('REQUEST_TOO_LARGE', requestId));
      return;
    }

    const local = matchLocal(method, path);
    if (local) {
      const query = new URLSearchParams(url.slice(path.length + 1));
      const contentType = headers['content-type']?.at(-1);
      // Local endpoints answer like handlers: they honour the caller's correlation id.
      const correlationId = correlationIdFrom(headers[CORRELATION_HEADER]?.at(-1), requestId);
      const { pathParameters } = local;
      send(response, await local.route.handle({ body, contentType, query, correlationId, pathParameters }));
      return;
    }

    if (app.console?.owns(path)) {
      send(response, await app.console.reply(method, path));
      return;
    }

    const matched = matchRoute(method, path);
    if (!matched) {
      send(response, gatewayReply('ROUTE_NOT_FOUND', requestId));
      return;
    }
    const snapshot: RequestSnapshot = {
      method,
      url,
      headers,
      body,
      sourceIp: request.socket.remoteAddress ?? LOOPBACK,
      requestId,
      requestTimeEpoch,
    };
    const route = { resource: matched.route.path, pathParameters: matched.pathParameters };
    const label = `${method} ${matched.route.path}`;

    let authorizer: AuthorizerContext | undefined;
    if (matched.route.auth === 'principal') {
      const outcome = await authorize(
        (event) => app.invoke(app.authorizer, event, API_TIMEOUT_MS),
        buildAuthorizerEvent(snapshot, route),
      );
      switch (outcome.kind) {
        case 'unauthorized':
          send(response, gatewayReply('UNAUTHORIZED', requestId));
          return;
        case 'denied':
          send(response, gatewayReply('ACCESS_DENIED', requestId, outcome));
          return;
        case 'failed':
          log.error(`the authorizer failed for ${label}`, outcome.error);
          send(response, gatewayReply('INTEGRATION_FAILURE', requestId));
          return;
        case 'allowed':
          authorizer = outcome.context;
      }
    }

    let result: unknown;
    try {
      result = await app.invoke(matched.route, buildProxyEvent(snapshot, route, authorizer), API_TIMEOUT_MS);
    } catch (error) {
      log.error(`the handler of ${label} threw`, error);
      send(response, gatewayReply('INTEGRATION_FAILURE', requestId));
      return;
    }
    const reply = replyFromProxyResult(result);
    if (!reply) {
      log.error(`the handler of ${label} returned a malformed proxy result`, result);
      send(response, gatewayReply('INTEGRATION_FAILURE', requestId));
      return;
    }
    send(response, reply);
  };
}

function headerSnapshot(request: IncomingMessage): Record<string, readonly string[]> {
  return Object.fromEntries(
    Object.entries(request.headersDistinct).flatMap(([name, values]) => (values ? [[name, values]] : [])),
  );
}
