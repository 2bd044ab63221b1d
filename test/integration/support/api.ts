import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import {
  DynamoDBDocumentClient,
  paginateQuery,
  paginateScan,
  type QueryCommandInput,
  type ScanCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { inject } from 'vitest';
import { z } from 'zod';

/** The running local stack, as the global setup provides it to every test file. */
export const apiUrl = inject('apiUrl');
export const endpoints = inject('endpoints');
export const TABLE_NAME = 'muster-local';

/** A tenant id no other test uses, so tests never see each other's data. */
export function uniqueTenant(label = 't'): string {
  return `${label}-${ulid().toLowerCase()}`;
}

/** SDK client settings that reach one engine of the running local stack. */
export function engineClientConfig(engine: keyof typeof endpoints) {
  return {
    endpoint: endpoints[engine],
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  };
}

/**
 * A document client on DynamoDB Local, for tests that set up or inspect data directly; on the shared
 * stack's unless a test's own stack names another endpoint.
 */
export function documentClient(dynamodbEndpoint: string = endpoints.dynamodb): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({ ...engineClientConfig('dynamodb'), endpoint: dynamodbEndpoint }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
}

/** Every item a query of the table answers, page after page. */
export async function queryAll(
  input: QueryCommandInput,
  client: DynamoDBDocumentClient = documentClient(),
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for await (const page of paginateQuery({ client }, input)) items.push(...(page.Items ?? []));
  return items;
}

/** Every item a scan of the table answers, page after page. */
export async function scanAll(
  input: ScanCommandInput,
  client: DynamoDBDocumentClient = documentClient(),
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for await (const page of paginateScan({ client }, input)) items.push(...(page.Items ?? []));
  return items;
}

/** An S3 client on the shared stack's s3rver, which knows one key pair of its own. */
export function s3Client(): S3Client {
  return new S3Client({
    ...engineClientConfig('s3'),
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    forcePathStyle: true,
  });
}

export interface ApiResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
  readonly text: string;
}

/**
 * `call` and `principal` against the API front at `baseUrl`: a test that starts its own stack
 * (to run it with other flags) reaches it with these; the exports below reach the shared stack.
 */
export function apiAt(baseUrl: string) {
  async function call(
    method: string,
    path: string,
    options: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
  ): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: response.status, headers: response.headers, body: parsed, text };
  }

  /** A bearer token for a user of `tenantId` with `roles`, minted by the local issuer. */
  async function principal(
    tenantId: string,
    email: string,
    roles: string[] = ['member'],
    extra: Record<string, unknown> = {},
  ): Promise<Principal> {
    const response = await call('POST', '/_local/token', { body: { tenantId, email, roles, ...extra } });
    if (response.status !== 200)
      throw new Error(`/_local/token answered ${response.status}: ${response.text}`);
    const body = z.object({ accessToken: z.string(), userId: z.string() }).parse(response.body);
    return { token: body.accessToken, userId: body.userId };
  }

  return { call, principal };
}

export interface Principal {
  readonly token: string;
  readonly userId: string;
}

export const { call, principal } = apiAt(apiUrl);

const errorEnvelopeSchema = z.object({
  error: z.object({
    code: z.string().min(1),
    message: z.string().min(1),
    details: z.array(z.unknown()).optional(),
  }),
  correlationId: z.string().min(1),
});

/** Asserts the body is the JSON error envelope and returns its code. */
export function errorCode(response: ApiResponse): string {
  const envelope = errorEnvelopeSchema.safeParse(response.body);
  if (!envelope.success) {
    throw new Error(`not an error envelope (${response.status}): ${response.text.slice(0, 300)}`);
  }
  return envelope.data.error.code;
}
