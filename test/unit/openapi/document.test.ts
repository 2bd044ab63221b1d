import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { RouteContract } from '../../../functions/shared/http/api-route';
import { errorEnvelopeSchema } from '../../../functions/shared/http/error-envelope';
import {
  buildOpenApiDocument,
  type DocumentedRoute,
  type DocumentSource,
} from '../../../scripts/openapi/document';

const thing = z.object({ thingId: z.string(), size: z.number().int().default(1) });

const contract = (overrides: Partial<RouteContract> & Pick<RouteContract, 'operation'>): RouteContract => ({
  auth: 'principal',
  idempotent: false,
  ...overrides,
});

const listThings: DocumentedRoute = {
  method: 'GET',
  path: '/v1/things',
  contract: contract({
    operation: 'ListThings',
    flag: 'user_mgmt_core',
    permission: 'users.read',
    query: z.object({
      limit: z.coerce.number().int().default(50),
      q: z.string(),
      nextToken: z.string().optional(),
    }),
    responseBody: z.object({ items: z.array(thing) }),
  }),
};
const updateThing: DocumentedRoute = {
  method: 'PATCH',
  path: '/v1/things/{thingId}',
  contract: contract({
    operation: 'UpdateThing',
    idempotent: true,
    params: z.object({ thingId: z.string().min(1) }),
    body: z.object({ size: z.number().int() }),
    responseBody: thing,
  }),
};
const health: DocumentedRoute = {
  method: 'GET',
  path: '/health',
  contract: contract({ operation: 'Health', auth: 'public' }),
};

const source = (overrides: Partial<DocumentSource> = {}): DocumentSource => ({
  info: { title: 'Test', version: '1.0.0', description: 'A test API.' },
  routes: [updateThing, listThings, health],
  components: {
    ErrorEnvelope: { schema: errorEnvelopeSchema, io: 'output' },
    Thing: { schema: thing, io: 'output' },
  },
  notes: { UpdateThing: { ifMatch: 'required', etag: true } },
  ...overrides,
});

type Json = Record<string, unknown>;

/** The value at a path of keys in the document, or undefined. */
function at(value: unknown, ...keys: string[]): unknown {
  let current = value;
  for (const key of keys) {
    current = typeof current === 'object' && current !== null ? (current as Json)[key] : undefined;
  }
  return current;
}

const operation = (document: Json, path: string, method: string): Json =>
  at(document, 'paths', path, method) as Json;
const parametersOf = (document: Json, path: string, method: string) =>
  at(operation(document, path, method), 'parameters') as Json[];
const responsesOf = (document: Json, path: string, method: string) =>
  at(operation(document, path, method), 'responses') as Json;

describe('buildOpenApiDocument', () => {
  const document = buildOpenApiDocument(source());

  it('is OpenAPI 3.1 with one operation per route, named by its contract', () => {
    expect(at(document, 'openapi')).toMatch(/^3\.1\./);
    expect(operation(document, '/v1/things', 'get')).toMatchObject({
      operationId: 'ListThings',
      summary: 'List things',
    });
    expect(operation(document, '/v1/things/{thingId}', 'patch').operationId).toBe('UpdateThing');
  });

  it('orders paths by name whatever the order of the routes, so equal routes give equal JSON', () => {
    expect(Object.keys(at(document, 'paths') as Json)).toEqual([
      '/health',
      '/v1/things',
      '/v1/things/{thingId}',
    ]);
    const reordered = buildOpenApiDocument(source({ routes: [health, listThings, updateThing] }));
    expect(JSON.stringify(reordered)).toBe(JSON.stringify(document));
  });

  it('makes the query schema parameters, required where the schema has no default or optional', () => {
    const parameters = parametersOf(document, '/v1/things', 'get');
    expect(parameters.filter((parameter) => parameter.in === 'query')).toEqual([
      {
        name: 'limit',
        in: 'query',
        required: false,
        schema: expect.objectContaining({ type: 'integer', default: 50 }),
      },
      { name: 'q', in: 'query', required: true, schema: { type: 'string' } },
      { name: 'nextToken', in: 'query', required: false, schema: { type: 'string' } },
    ]);
  });

  it('makes path parameters required, and adds If-Match and Idempotency-Key where the route takes them', () => {
    const parameters = parametersOf(document, '/v1/things/{thingId}', 'patch');
    expect(parameters).toContainEqual({
      name: 'thingId',
      in: 'path',
      required: true,
      schema: { type: 'string', minLength: 1 },
    });
    expect(parameters).toContainEqual(
      expect.objectContaining({ name: 'If-Match', in: 'header', required: true }),
    );
    expect(parameters).toContainEqual(
      expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: false }),
    );
    const listing = parametersOf(document, '/v1/things', 'get');
    expect(listing.map((parameter) => parameter.name)).not.toContain('Idempotency-Key');
  });

  it('documents a path parameter the route declares no schema for as a string', () => {
    const bare = buildOpenApiDocument(
      source({ routes: [{ ...updateThing, contract: contract({ operation: 'UpdateThing' }) }] }),
    );
    expect(parametersOf(bare, '/v1/things/{thingId}', 'patch')).toContainEqual({
      name: 'thingId',
      in: 'path',
      required: true,
      schema: { type: 'string' },
    });
  });

  it('refuses a params schema naming a parameter its path lacks', () => {
    const misnamed = { ...updateThing, path: '/v1/things/{id}' };
    expect(() => buildOpenApiDocument(source({ routes: [misnamed] }))).toThrow(
      /declares path parameters its path lacks: thingId/,
    );
  });

  it('asks a bearer token, or a session with the CSRF header on unsafe methods; nothing on a public route', () => {
    expect(operation(document, '/v1/things', 'get').security).toEqual([
      { BearerAuth: [] },
      { SessionCookie: [] },
    ]);
    expect(operation(document, '/v1/things/{thingId}', 'patch').security).toEqual([
      { BearerAuth: [] },
      { SessionCookie: [], CsrfToken: [] },
    ]);
    expect(operation(document, '/health', 'get').security).toEqual([]);
    expect(Object.keys(at(document, 'components', 'securitySchemes') as Json)).toEqual([
      'BearerAuth',
      'SessionCookie',
      'CsrfToken',
    ]);
  });

  it('puts named schemas under components and refers to them, requests as input and responses as output', () => {
    const patch = operation(document, '/v1/things/{thingId}', 'patch');
    expect(at(patch, 'responses', '200', 'content', 'application/json', 'schema')).toEqual({
      $ref: '#/components/schemas/Thing',
    });
    expect(
      at(responsesOf(document, '/v1/things', 'get'), '200', 'content', 'application/json', 'schema'),
    ).toMatchObject({
      properties: { items: { type: 'array', items: { $ref: '#/components/schemas/Thing' } } },
    });
    // As a response, a field with a default is always there.
    expect(at(document, 'components', 'schemas', 'Thing', 'required')).toEqual(['thingId', 'size']);
    expect(patch.requestBody).toEqual({
      required: true,
      content: { 'application/json': { schema: expect.objectContaining({ required: ['size'] }) } },
    });
  });

  it('answers every error with the error envelope, and the statuses the contract implies', () => {
    const patch = responsesOf(document, '/v1/things/{thingId}', 'patch');
    expect(Object.keys(patch)).toEqual([
      '200',
      '400',
      '401',
      '403',
      '404',
      '409',
      '412',
      '413',
      '415',
      '422',
      '428',
      '429',
      '500',
      'default',
    ]);
    expect(at(patch, '428', 'content', 'application/json', 'schema')).toEqual({
      $ref: '#/components/schemas/ErrorEnvelope',
    });
    expect(at(patch, '409', 'description')).toContain('IDEMPOTENCY_KEY_REUSED');
    expect(at(patch, '200', 'headers')).toHaveProperty('ETag');
    expect(at(document, 'components', 'schemas', 'ErrorEnvelope', 'required')).toEqual([
      'error',
      'correlationId',
    ]);
    expect(Object.keys(responsesOf(document, '/health', 'get'))).toEqual(['200', '429', '500', 'default']);
  });

  it('says a flag-gated route answers 404 while its flag is off, and names flag and permission', () => {
    const listing = operation(document, '/v1/things', 'get');
    expect(at(listing, 'responses', '404', 'description')).toContain(
      '`ROUTE_NOT_FOUND`: the route is off while `user_mgmt_core` is off',
    );
    expect(listing).toMatchObject({ 'x-muster-flag': 'user_mgmt_core', 'x-muster-permission': 'users.read' });
    expect(at(listing, 'responses', '400', 'description')).toContain('INVALID_NEXT_TOKEN');
  });

  it('documents a success status other than 200, and no body for 204', () => {
    const deleted = buildOpenApiDocument(
      source({
        routes: [
          {
            method: 'DELETE',
            path: '/v1/things/{thingId}',
            contract: contract({ operation: 'DeleteThing' }),
          },
        ],
        notes: { DeleteThing: { status: 204 } },
      }),
    );
    const responses = responsesOf(deleted, '/v1/things/{thingId}', 'delete');
    expect(responses['200']).toBeUndefined();
    expect(responses['204']).not.toHaveProperty('content');
  });

  it('refuses notes for an operation no route has', () => {
    expect(() => buildOpenApiDocument(source({ notes: { RemovedThing: { status: 201 } } }))).toThrow(
      /RemovedThing/,
    );
  });

  it('refuses a component that reads differently as a request and as a response', () => {
    const asBody = { ...updateThing, contract: contract({ operation: 'UpdateThing', body: thing }) };
    expect(() => buildOpenApiDocument(source({ routes: [asBody], notes: {} }))).toThrow(
      /Component Thing differs between uses/,
    );
  });
});
