import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { Operation } from './operations';
import { StepFunctionsError } from './protocol';

const LOOPBACK = '127.0.0.1';
const TARGET_PREFIX = 'AWSStepFunctions.';

export interface StepFunctionsServer {
  readonly endpoint: string;
  close(): Promise<void>;
}

interface Reply {
  readonly statusCode: number;
  readonly body: object;
}

/**
 * Serves the Step Functions JSON 1.0 protocol on the loopback interface: `POST /`, the operation in
 * `X-Amz-Target: AWSStepFunctions.<Operation>`, errors as `{"__type", "message"}`.
 */
export async function serveStepFunctions(
  operations: ReadonlyMap<string, Operation>,
  port: number,
): Promise<StepFunctionsServer> {
  const server = createServer((request, response) => {
    void reply(request, operations).then(({ statusCode, body }) => {
      response.writeHead(statusCode, {
        'content-type': 'application/x-amz-json-1.0',
        'x-amzn-requestid': randomUUID(),
      });
      response.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, LOOPBACK, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string')
    throw new Error('the Step Functions server has no TCP port');
  return {
    endpoint: `http://${LOOPBACK}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // SDK clients keep connections alive; they would hold close() until they time out.
        server.closeAllConnections();
      }),
  };
}

async function reply(request: IncomingMessage, operations: ReadonlyMap<string, Operation>): Promise<Reply> {
  try {
    const text = await readBody(request);
    const operation = operationOf(request, operations);
    return { statusCode: 200, body: operation(parseBody(text)) };
  } catch (error) {
    if (error instanceof StepFunctionsError) {
      return { statusCode: error.statusCode, body: { __type: error.type, message: error.message } };
    }
    console.error('[stepfunctions] internal error', error);
    return { statusCode: 500, body: { __type: 'InternalFailure', message: String(error) } };
  }
}

function operationOf(request: IncomingMessage, operations: ReadonlyMap<string, Operation>): Operation {
  const target = request.headers['x-amz-target'];
  const name =
    typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
  const operation = request.method === 'POST' ? operations.get(name) : undefined;
  if (!operation) {
    throw new StepFunctionsError('UnknownOperationException', `Unknown operation: ${String(target)}`);
  }
  return operation;
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new StepFunctionsError('SerializationException', 'The request body is not valid JSON');
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}
