import { z } from 'zod';
import type { HttpMethod } from '../../config/routes';
import { CORRELATION_HEADER, CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE } from '../../functions/auth/claims';
import type { RouteContract } from '../../functions/shared/http/api-route';
import { CORRELATION_ID, IDEMPOTENCY_KEY } from '../../functions/shared/http/request-parsing';

/**
 * Builds the OpenAPI 3.1 document from the routes and the contracts their handlers declare. Pure and
 * deterministic: the same routes give the same JSON, byte for byte, so a stale copy is caught exactly.
 */

export interface DocumentedRoute {
  readonly method: HttpMethod;
  readonly path: string;
  readonly contract: RouteContract;
}

/** A schema published under `components/schemas`, converted as a request (`input`) or a response (`output`). */
export interface NamedSchema {
  readonly schema: z.ZodType;
  readonly io: 'input' | 'output';
}

/** What an operation's handler does that its contract does not say (yet): read off the handlers. */
export interface OperationNotes {
  /** The success status, when not 200. */
  readonly status?: 201 | 202 | 204;
  /** `required`: 428 without `If-Match`; `optional`: checked when sent. */
  readonly ifMatch?: 'required' | 'optional';
  /** The success response carries the resource's version as `ETag`. */
  readonly etag?: true;
  /** The success body is this media type, sent as text, instead of JSON. */
  readonly textMediaType?: string;
  /** Also answers `303 See Other` to a download, for this reason. */
  readonly seeOther?: string;
}

export interface DocumentSource {
  readonly info: { readonly title: string; readonly version: string; readonly description: string };
  readonly routes: readonly DocumentedRoute[];
  readonly components: Readonly<Record<string, NamedSchema>>;
  readonly notes: Readonly<Record<string, OperationNotes>>;
}

type Json = Record<string, unknown>;

const METHOD_ORDER: readonly HttpMethod[] = ['GET', 'PUT', 'POST', 'DELETE', 'PATCH'];
const UNSAFE_METHODS: ReadonlySet<HttpMethod> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const ERROR_ENVELOPE = 'ErrorEnvelope';
const JSON_MEDIA_TYPE = 'application/json';

export function buildOpenApiDocument(source: DocumentSource): Json {
  if (!(ERROR_ENVELOPE in source.components)) {
    throw new Error(`The components must name the error envelope "${ERROR_ENVELOPE}".`);
  }
  const operations = new Set(source.routes.map((route) => route.contract.operation));
  const strayNotes = Object.keys(source.notes).filter((operation) => !operations.has(operation));
  if (strayNotes.length > 0) {
    throw new Error(`Notes for operations no route has: ${strayNotes.join(', ')}. Rename or remove them.`);
  }
  const schemas = new SchemaConverter(source.components);
  for (const named of Object.values(source.components)) schemas.convert(named.schema, named.io);

  const paths: Record<string, Json> = {};
  const byPath = [...source.routes].sort(
    (a, b) => compare(a.path, b.path) || METHOD_ORDER.indexOf(a.method) - METHOD_ORDER.indexOf(b.method),
  );
  for (const route of byPath) {
    const item = paths[route.path] ?? {};
    item[route.method.toLowerCase()] = operationOf(
      route,
      source.notes[route.contract.operation] ?? {},
      schemas,
    );
    paths[route.path] = item;
  }
  return {
    openapi: '3.1.1',
    info: source.info,
    servers: [
      {
        url: '/',
        description: 'Where this document is served: the API Gateway stage, or the local front (npm start).',
      },
    ],
    paths,
    components: {
      schemas: schemas.components(),
      parameters: {
        CorrelationId: {
          name: CORRELATION_HEADER,
          in: 'header',
          required: false,
          description:
            'Honoured when it matches the pattern (else the request id is used); returned in the header and the error envelope, and on every log line of the request.',
          schema: { type: 'string', pattern: CORRELATION_ID.source },
        },
      },
      headers: {
        CorrelationId: {
          description: 'The correlation id of the request: quote it when reporting a problem.',
          schema: { type: 'string' },
        },
      },
      securitySchemes: SECURITY_SCHEMES,
    },
  };
}

const SECURITY_SCHEMES = {
  BearerAuth: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'An access token of the configured OIDC issuer, with the claims `sub` and `tenant_id`.',
  },
  SessionCookie: {
    type: 'apiKey',
    in: 'cookie',
    name: SESSION_COOKIE,
    description: 'A browser session: a JWT of the same issuer with a `csrf` claim.',
  },
  CsrfToken: {
    type: 'apiKey',
    in: 'header',
    name: CSRF_HEADER,
    description: `With a session, every unsafe method (POST, PUT, PATCH, DELETE) sends the double-submit CSRF token: equal to the \`${CSRF_COOKIE}\` cookie, its SHA-256 the session's \`csrf\` claim.`,
  },
} as const;

function operationOf(route: DocumentedRoute, notes: OperationNotes, schemas: SchemaConverter): Json {
  const { contract } = route;
  const query = contract.query ? schemas.objectProperties(contract.query, 'query') : undefined;
  const parameters = [
    ...pathParameters(route, schemas),
    ...(query ? query.map(({ name, schema, required }) => ({ name, in: 'query', required, schema })) : []),
    ...headerParameters(contract, notes),
    { $ref: '#/components/parameters/CorrelationId' },
  ];
  const description = [
    contract.permission ? `Needs the permission \`${contract.permission}\`.` : undefined,
    contract.flag ? `Answers 404 \`ROUTE_NOT_FOUND\` while the flag \`${contract.flag}\` is off.` : undefined,
    contract.idempotent ? 'Honours `Idempotency-Key`: a repeat answers the first success again.' : undefined,
  ].filter((line) => line !== undefined);
  return {
    operationId: contract.operation,
    summary: summaryOf(contract.operation),
    ...(description.length > 0 ? { description: description.join(' ') } : {}),
    security: securityOf(route),
    parameters,
    ...(contract.body
      ? {
          requestBody: {
            required: true,
            content: { [JSON_MEDIA_TYPE]: { schema: schemas.convert(contract.body, 'input') } },
          },
        }
      : {}),
    responses: {
      ...successResponses(contract, notes, schemas),
      ...errorResponses(route, notes, query?.some((property) => property.name === 'nextToken') ?? false),
    },
    ...(contract.flag ? { 'x-muster-flag': contract.flag } : {}),
    ...(contract.permission ? { 'x-muster-permission': contract.permission } : {}),
  };
}

function pathParameters(route: DocumentedRoute, schemas: SchemaConverter): Json[] {
  const declared = route.contract.params ? schemas.objectProperties(route.contract.params, 'path') : [];
  const names = [...route.path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1] ?? '');
  const undeclared = declared.filter((property) => !names.includes(property.name));
  if (undeclared.length > 0) {
    throw new Error(
      `${route.method} ${route.path} declares path parameters its path lacks: ${undeclared.map((p) => p.name).join(', ')}.`,
    );
  }
  return names.map((name) => ({
    name,
    in: 'path',
    required: true,
    schema: declared.find((property) => property.name === name)?.schema ?? { type: 'string' },
  }));
}

function headerParameters(contract: RouteContract, notes: OperationNotes): Json[] {
  return [
    ...(notes.ifMatch
      ? [
          {
            name: 'If-Match',
            in: 'header',
            required: notes.ifMatch === 'required',
            description:
              notes.ifMatch === 'required'
                ? 'The ETag of a read, e.g. `"3"`: the change applies only to that version (428 without it, 412 when stale).'
                : 'The ETag of a read, e.g. `"3"`: when sent, the change applies only to that version (412 when stale).',
            schema: { type: 'string' },
          },
        ]
      : []),
    ...(contract.idempotent
      ? [
          {
            name: 'Idempotency-Key',
            in: 'header',
            required: false,
            description:
              'A key of yours (a UUID will do): the first success under it is stored, and a repeat of the same request answers it again without running.',
            schema: { type: 'string', pattern: IDEMPOTENCY_KEY.source },
          },
        ]
      : []),
  ];
}

function securityOf(route: DocumentedRoute): Json[] {
  if (route.contract.auth === 'public') return [];
  const session = UNSAFE_METHODS.has(route.method)
    ? { SessionCookie: [], CsrfToken: [] }
    : { SessionCookie: [] };
  return [{ BearerAuth: [] }, session];
}

function successResponses(contract: RouteContract, notes: OperationNotes, schemas: SchemaConverter): Json {
  const status = notes.status ?? 200;
  const headers = {
    [CORRELATION_HEADER]: { $ref: '#/components/headers/CorrelationId' },
    ...(notes.etag
      ? {
          ETag: {
            description: "The resource's version, for a later `If-Match`.",
            schema: { type: 'string' },
          },
        }
      : {}),
  };
  const content =
    status === 204
      ? undefined
      : notes.textMediaType
        ? { [notes.textMediaType]: { schema: { type: 'string' } } }
        : {
            [JSON_MEDIA_TYPE]: {
              schema: contract.responseBody
                ? schemas.convert(contract.responseBody, 'output')
                : { type: 'object', description: 'A JSON object; docs/api.md describes it.' },
            },
          };
  return {
    [status]: {
      description: STATUS_TEXT[status] ?? 'Success',
      headers,
      ...(content ? { content } : {}),
    },
    ...(notes.seeOther
      ? {
          303: {
            description: notes.seeOther,
            headers: {
              Location: { description: 'Where to download it.', schema: { type: 'string', format: 'uri' } },
              [CORRELATION_HEADER]: { $ref: '#/components/headers/CorrelationId' },
            },
            content: {
              [JSON_MEDIA_TYPE]: {
                schema: {
                  type: 'object',
                  properties: { downloadUrl: { type: 'string', format: 'uri' } },
                  required: ['downloadUrl'],
                },
              },
            },
          },
        }
      : {}),
  };
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted: the work goes on after the answer',
  204: 'Done; no content',
};

/** The errors the contract implies; `default` stands for the route's own codes (docs/api.md lists them). */
function errorResponses(route: DocumentedRoute, notes: OperationNotes, paged: boolean): Json {
  const { contract } = route;
  const principal = contract.auth === 'principal';
  const readsInput =
    contract.body !== undefined || contract.query !== undefined || contract.params !== undefined;
  const codes: Record<number, string[]> = {
    400: [
      ...(contract.body ? ['`MALFORMED_JSON`', '`BODY_REQUIRED`'] : []),
      ...(paged ? ['`INVALID_NEXT_TOKEN`'] : []),
      ...(notes.ifMatch ? ['`INVALID_IF_MATCH`'] : []),
      ...(contract.idempotent ? ['`INVALID_IDEMPOTENCY_KEY`'] : []),
    ],
    401: principal ? ['`UNAUTHENTICATED`: no, expired or wrongly signed credentials'] : [],
    403: principal
      ? [
          ...(contract.permission ? ['`PERMISSION_DENIED` (while `user_mgmt_enforce` is on)'] : []),
          '`ACCOUNT_DEACTIVATED`',
          '`PRINCIPAL_NOT_PROVISIONED`',
          ...(UNSAFE_METHODS.has(route.method)
            ? ['`CSRF_TOKEN_MISSING`, `CSRF_TOKEN_MISMATCH` (sessions)']
            : []),
        ]
      : [],
    404: [
      ...(contract.flag ? [`\`ROUTE_NOT_FOUND\`: the route is off while \`${contract.flag}\` is off`] : []),
      ...(contract.params ? ["the resource does not exist in the caller's tenant"] : []),
    ],
    409: contract.idempotent
      ? [
          '`IDEMPOTENCY_KEY_REUSED` (another request under the key)',
          '`IDEMPOTENCY_KEY_IN_USE` (still running)',
        ]
      : [],
    412: notes.ifMatch ? ['`VERSION_MISMATCH`: the resource changed since the version sent'] : [],
    413: contract.body ? ['`PAYLOAD_TOO_LARGE`'] : [],
    415: contract.body ? ['`UNSUPPORTED_MEDIA_TYPE`: send `content-type: application/json`'] : [],
    422: readsInput ? ['`VALIDATION_FAILED`, one detail per offending field'] : [],
    428: notes.ifMatch === 'required' ? ['`IF_MATCH_REQUIRED`: read the resource and send its `ETag`'] : [],
    429: ['`THROTTLED`; retry after `retry-after` seconds'],
    500: ['`INTERNAL`: our fault; quote the correlation id'],
  };
  const responses: Json = {};
  for (const [status, reasons] of Object.entries(codes)) {
    if (reasons.length > 0) responses[status] = errorResponse(reasons.join('; '), status === '429');
  }
  responses.default = errorResponse(
    "Another of the route's errors (docs/api.md lists them by route).",
    false,
  );
  return responses;
}

function errorResponse(description: string, retryAfter: boolean): Json {
  return {
    description,
    ...(retryAfter
      ? { headers: { 'retry-after': { description: 'Seconds to wait.', schema: { type: 'integer' } } } }
      : {}),
    content: { [JSON_MEDIA_TYPE]: { schema: { $ref: `#/components/schemas/${ERROR_ENVELOPE}` } } },
  };
}

/** `ListUsers` → `List users`. */
function summaryOf(operation: string): string {
  const words = operation.split(/(?<=[a-z0-9])(?=[A-Z])/);
  return words.map((word, index) => (index === 0 ? word : word.toLowerCase())).join(' ');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * zod 4's JSON Schema, with the named schemas as `#/components/schemas/<name>` references: zod
 * puts a schema that has a registered id under `$defs`, and this hoists it into the components.
 */
class SchemaConverter {
  readonly #components = new Map<string, { readonly json: Json; readonly text: string }>();

  constructor(named: Readonly<Record<string, NamedSchema>>) {
    // Descriptions live in the global registry, so the ids go there too (once per process).
    for (const [id, { schema }] of Object.entries(named)) {
      const meta = z.globalRegistry.get(schema);
      if (meta?.id === id) continue;
      z.globalRegistry.add(schema, { ...meta, id });
    }
  }

  convert(schema: z.ZodType, io: 'input' | 'output'): Json {
    const {
      $schema: _dialect,
      $defs,
      ...json
    } = z.toJSONSchema(schema, { io, target: 'draft-2020-12' }) as Json;
    for (const [id, definition] of Object.entries(($defs ?? {}) as Record<string, Json>)) {
      this.#addComponent(id, withComponentRefs(definition));
    }
    return withComponentRefs(json);
  }

  /** The properties of an object schema, as parameters are made of them. */
  objectProperties(
    schema: z.ZodType,
    location: 'query' | 'path',
  ): { name: string; schema: Json; required: boolean }[] {
    const json = this.convert(schema, 'input');
    const properties = json.properties as Record<string, Json> | undefined;
    if (json.type !== 'object' || !properties) throw new Error(`A ${location} schema must be an object.`);
    const required = new Set((json.required as string[] | undefined) ?? []);
    return Object.entries(properties).map(([name, property]) => ({
      name,
      schema: property,
      required: required.has(name),
    }));
  }

  components(): Record<string, Json> {
    const names = [...this.#components.keys()].sort(compare);
    return Object.fromEntries(names.map((name) => [name, this.#components.get(name)?.json ?? {}]));
  }

  #addComponent(id: string, json: Json): void {
    if (id.startsWith('__')) {
      throw new Error(`A recursive schema has no name (${id}): name it among the document's components.`);
    }
    const text = JSON.stringify(json);
    const known = this.#components.get(id);
    if (known && known.text !== text) {
      throw new Error(
        `Component ${id} differs between uses (a request and a response?): publish the two under separate names.`,
      );
    }
    this.#components.set(id, { json, text });
  }
}

function withComponentRefs(json: Json): Json {
  return JSON.parse(JSON.stringify(json), (key, value) => {
    if (key !== '$ref' || typeof value !== 'string') return value;
    if (!value.startsWith('#/$defs/'))
      throw new Error(`Unexpected reference ${value} in a converted schema.`);
    return `#/components/schemas/${value.slice('#/$defs/'.length)}`;
  }) as Json;
}
