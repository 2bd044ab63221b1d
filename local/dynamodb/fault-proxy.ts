import { randomUUID } from 'node:crypto';
import { Agent, createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import { log } from '../log';
import { closeServer, LOOPBACK, listen } from '../net';
import {
  mentionsTenant,
  splitBatchWrite,
  THROTTLING_CODES,
  type ThrottlingCode,
  throttledTransactionReply,
  throttlingReply,
  type WriteOperation,
  withUnprocessed,
  writeOperationOf,
} from './write-faults';

/** What the proxy did to one tenant's writes since they were armed. */
export interface InjectedThrottles {
  /** Writes answered with a throttling error, by code. */
  readonly errors: Record<ThrottlingCode, number>;
  /** BatchWriteItem requests of which only part was written, the rest handed back unprocessed. */
  readonly partialBatches: number;
  readonly unprocessedItems: number;
  /** TransactWriteItems answered cancelled with a `ThrottlingError` reason, which the SDK does not retry. */
  readonly cancelledTransactions: number;
  /** Throttled requests (errors, partial batches, cancelled transactions), by operation. */
  readonly byOperation: Partial<Record<WriteOperation, number>>;
}

export interface DynamoDbFaultProxy {
  /** Where the handlers reach DynamoDB: this proxy, in front of the engine. */
  readonly endpoint: string;
  /** Throttles that tenant's writes at random with `rate` (0 to 1) from now on; its counts start over. */
  throttleWrites(tenantId: string, rate: number): void;
  /** Stops throttling anyone; what was injected stays readable. */
  clear(): void;
  /** The tenant's current rate (0 once cleared) and what was injected since it was armed; `undefined` when never armed. */
  throttling(tenantId: string): { rate: number; injected: InjectedThrottles } | undefined;
  stop(): Promise<void>;
}

export interface DynamoDbFaultProxyOptions {
  /** DynamoDB Local's endpoint. */
  readonly target: string;
  /** Absent or 0: any free port. */
  readonly port?: number;
  readonly random?: () => number;
}

interface Injected {
  errors: Record<ThrottlingCode, number>;
  partialBatches: number;
  unprocessedItems: number;
  cancelledTransactions: number;
  byOperation: Partial<Record<WriteOperation, number>>;
}

/**
 * An HTTP proxy in front of DynamoDB Local that throttles an armed tenant's writes (test-only fault
 * injection, `PUT /_local/faults/dynamodb`). Unarmed, or for reads, it streams requests through
 * untouched; only an armed tenant's writes are read whole to decide.
 */
export async function startDynamoDbFaultProxy(
  options: DynamoDbFaultProxyOptions,
): Promise<DynamoDbFaultProxy> {
  const target = new URL(options.target);
  const random = options.random ?? Math.random;
  // Handlers keep many requests in flight: reuse connections to the engine as the SDK does.
  const agent = new Agent({ keepAlive: true, maxSockets: 128 });
  const rates = new Map<string, number>();
  // Kept when disarmed, so a test reads what was injected after it stopped the faults.
  const injected = new Map<string, Injected>();

  function upstream(
    incoming: IncomingMessage,
    onResponse: (answer: IncomingMessage) => void,
    headers: IncomingMessage['headers'] = incoming.headers,
  ) {
    const { hostname: host, port } = target;
    return request({ host, port, method: incoming.method, path: incoming.url, headers, agent }, onResponse);
  }

  function passThrough(incoming: IncomingMessage, response: ServerResponse, body?: Buffer) {
    const outgoing = upstream(incoming, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    outgoing.once('error', (error) => response.destroy(error));
    if (body) outgoing.end(body);
    else incoming.pipe(outgoing);
  }

  function throttle(response: ServerResponse, state: Injected, operation: WriteOperation, body: string) {
    count(state, operation);
    const reply = throttledReply(state, operation, body);
    response.writeHead(reply.status, {
      'content-type': 'application/x-amz-json-1.0',
      'x-amzn-requestid': randomUUID(),
      'content-length': Buffer.byteLength(reply.body),
    });
    response.end(reply.body);
  }

  /** A transaction is throttled in either of DynamoDB's two ways; any other write with an error. */
  function throttledReply(state: Injected, operation: WriteOperation, body: string) {
    if (operation === 'TransactWriteItems' && random() < 1 / 3) {
      state.cancelledTransactions++;
      return throttledTransactionReply(body);
    }
    const code = THROTTLING_CODES[random() < 0.5 ? 0 : 1];
    state.errors[code]++;
    return throttlingReply(code);
  }

  /** Sends the items kept, and answers with DynamoDB's output plus the drawn items as unprocessed. */
  function partial(
    incoming: IncomingMessage,
    response: ServerResponse,
    forward: string,
    unprocessed: Record<string, unknown[]>,
  ) {
    const body = Buffer.from(forward);
    const headers = { ...incoming.headers, 'content-length': String(body.length) };
    const relay = async (answer: IncomingMessage) => {
      const chunks: Buffer[] = [];
      for await (const chunk of answer) chunks.push(Buffer.from(chunk));
      const text = Buffer.concat(chunks).toString('utf8');
      const merged = answer.statusCode === 200 ? withUnprocessed(text, unprocessed) : text;
      // The body changed: its length, framing and checksum are the proxy's to state.
      const {
        'content-length': _length,
        'transfer-encoding': _framing,
        'x-amz-crc32': _checksum,
        ...kept
      } = answer.headers;
      response.writeHead(answer.statusCode ?? 502, {
        ...kept,
        'content-length': Buffer.byteLength(merged),
      });
      response.end(merged);
    };
    const outgoing = upstream(
      incoming,
      (answer) => relay(answer).catch((error: unknown) => response.destroy(toError(error))),
      headers,
    );
    outgoing.once('error', (error) => response.destroy(error));
    outgoing.end(body);
  }

  async function handle(incoming: IncomingMessage, response: ServerResponse) {
    const operation =
      rates.size > 0 ? writeOperationOf(incoming.headers['x-amz-target']?.toString()) : undefined;
    if (!operation) return passThrough(incoming, response);
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(Buffer.from(chunk));
    const body = Buffer.concat(chunks);
    const text = body.toString('utf8');
    const tenant = [...rates].find(([tenantId]) => mentionsTenant(text, tenantId));
    const state = tenant && injected.get(tenant[0]);
    if (!tenant || !state) return passThrough(incoming, response, body);
    const [tenantId, rate] = tenant;
    if (operation !== 'BatchWriteItem') {
      return random() < rate
        ? throttle(response, state, operation, text)
        : passThrough(incoming, response, body);
    }
    const decision = splitBatchWrite(text, tenantId, () => random() < rate);
    if (decision.kind === 'forward') return passThrough(incoming, response, body);
    if (decision.kind === 'throttle') return throttle(response, state, operation, text);
    state.partialBatches++;
    state.unprocessedItems += Object.values(decision.unprocessed).reduce(
      (sum, items) => sum + items.length,
      0,
    );
    count(state, operation);
    return partial(incoming, response, decision.forward, decision.unprocessed);
  }

  const server = createServer((incoming, response) => {
    handle(incoming, response).catch((error: unknown) => {
      log.error('the DynamoDB fault proxy failed a request', error);
      response.destroy();
    });
  });
  const port = await listen(server, options.port ?? 0);

  return {
    endpoint: `http://${LOOPBACK}:${port}`,
    throttleWrites(tenantId, rate) {
      rates.set(tenantId, rate);
      injected.set(tenantId, {
        errors: { ProvisionedThroughputExceededException: 0, ThrottlingException: 0 },
        partialBatches: 0,
        unprocessedItems: 0,
        cancelledTransactions: 0,
        byOperation: {},
      });
    },
    clear: () => rates.clear(),
    throttling(tenantId) {
      const state = injected.get(tenantId);
      return state && { rate: rates.get(tenantId) ?? 0, injected: structuredClone(state) };
    },
    async stop() {
      await closeServer(server);
      agent.destroy();
    },
  };
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function count(state: Injected, operation: WriteOperation) {
  state.byOperation[operation] = (state.byOperation[operation] ?? 0) + 1;
}
