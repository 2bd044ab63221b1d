import { describe, expect, it } from 'vitest';
import {
  BATCH_METHODS,
  type BatchEnvelope,
  dependentsToSkip,
  executionPlan,
  MAX_BATCH_REQUESTS,
  parseBatchEnvelope,
  succeeded,
} from '../../../functions/batch/domain/envelope';
import {
  AppError,
  BadRequestError,
  type ErrorDetail,
  PayloadTooLargeError,
} from '../../../functions/shared/errors';

const get = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  method: 'GET',
  url: `/v1/admin/users/${id}`,
  ...extra,
});

function refusal(input: unknown): AppError {
  try {
    parseBatchEnvelope(input);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('the envelope was accepted');
}

/** The details of an INVALID_BATCH refusal. */
function problems(input: unknown): readonly ErrorDetail[] {
  const error = refusal(input);
  expect(error).toBeInstanceOf(BadRequestError);
  expect(error.code).toBe('INVALID_BATCH');
  return error.details ?? [];
}

function messages(input: unknown): string[] {
  return problems(input).map((detail) => detail.message);
}

describe('a valid envelope', () => {
  it('is returned with optional fields left out', () => {
    expect(parseBatchEnvelope({ requests: [get('a')] })).toEqual({
      requests: [{ id: 'a', method: 'GET', url: '/v1/admin/users/a' }],
    });
  });

  it('keeps bodies as sent and merges a dependency named twice', () => {
    const envelope = parseBatchEnvelope({
      requests: [
        { id: 'a', method: 'POST', url: '/v1/admin/users', body: { email: 'a@example.com' } },
        { id: 'b', method: 'PATCH', url: '/v1/admin/users/u_1', body: [1, null], dependsOn: ['a', 'a'] },
        { id: 'c', method: 'DELETE', url: '/v1/admin/users/u_2', body: null },
      ],
    });
    expect(envelope.requests[0]?.body).toEqual({ email: 'a@example.com' });
    expect(envelope.requests[1]).toMatchObject({ body: [1, null], dependsOn: ['a'] });
    expect(envelope.requests[2]?.body).toBeNull();
  });

  it('lower-cases header names and keeps values as sent', () => {
    const envelope = parseBatchEnvelope({
      requests: [
        get('a', { headers: { 'Idempotency-Key': 'Key-1', 'If-Match': '"3"', accept: 'application/json' } }),
      ],
    });
    expect(envelope.requests[0]?.headers).toEqual({
      'idempotency-key': 'Key-1',
      'if-match': '"3"',
      accept: 'application/json',
    });
  });

  it('accepts every supported method', () => {
    const requests = BATCH_METHODS.map((method, index) => ({ id: `r${index}`, method, url: '/v1/x' }));
    expect(parseBatchEnvelope({ requests }).requests.map((request) => request.method)).toEqual([
      'GET',
      'POST',
      'PUT',
      'PATCH',
      'DELETE',
    ]);
  });

  it.each(['a', 'x'.repeat(64), 'create-alice', '550e8400-e29b-41d4-a716-446655440000', 'step.1:a_b~c'])(
    'accepts the id %s',
    (id) => {
      expect(parseBatchEnvelope({ requests: [get(id)] }).requests[0]?.id).toBe(id);
    },
  );

  it.each([
    '/v1/admin/users',
    '/v1/admin/users?limit=5&status=ACTIVE',
    '/v1/admin/users/u%20x',
    '/v1/files/a..b',
    '/',
  ])('accepts the url %s', (url) => {
    expect(parseBatchEnvelope({ requests: [{ id: 'a', method: 'GET', url }] }).requests[0]?.url).toBe(url);
  });

  it(`holds up to ${MAX_BATCH_REQUESTS} requests`, () => {
    const requests = Array.from({ length: MAX_BATCH_REQUESTS }, (_, index) => get(`r${index}`));
    expect(parseBatchEnvelope({ requests }).requests).toHaveLength(MAX_BATCH_REQUESTS);
  });
});

describe('more than the maximum of requests', () => {
  const tooMany = (count: number, make: (index: number) => unknown = (index) => get(`r${index}`)) => ({
    requests: Array.from({ length: count }, (_, index) => make(index)),
  });

  it('is refused as too many requests, naming the count and the limit', () => {
    const error = refusal(tooMany(MAX_BATCH_REQUESTS + 1));
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expect(error.code).toBe('TOO_MANY_REQUESTS');
    expect(error.message).toBe(
      'The batch holds 21 requests; a batch holds at most 20. Nothing was run: split it into batches of at most 20.',
    );
  });

  it('is refused the same way whatever else is wrong with the requests', () => {
    const error = refusal(tooMany(30, () => ({ id: 'same', method: 'HEAD', url: 'http://elsewhere' })));
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expect(error.code).toBe('TOO_MANY_REQUESTS');
    expect(error.message).toContain('holds 30 requests');
  });
});

describe('a malformed envelope', () => {
  it.each([
    [null, 'The batch must be a JSON object {"requests": [...]}.'],
    [[get('a')], 'The batch must be a JSON object {"requests": [...]}.'],
    [{}, 'requests must be an array of requests.'],
    [{ requests: { a: get('a') } }, 'requests must be an array of requests.'],
    [{ requests: [] }, 'requests must hold at least one request.'],
    [{ requests: [get('a')], atomic: true }, 'unknown field "atomic"; the envelope is {"requests": [...]}.'],
  ])('%j is refused: %s', (input, message) => {
    const [detail, ...rest] = problems(input);
    expect(rest).toEqual([]);
    expect(detail?.message).toBe(message);
    expect(refusal(input).message).toBe(`The batch is invalid and nothing was run: ${message}`);
  });

  it('refuses an item that is not an object', () => {
    expect(problems({ requests: ['GET /v1/x'] })).toEqual([
      {
        path: 'requests.0',
        code: 'invalid_type',
        message:
          'Request #1: each request must be an object with id, method, url, headers, body and dependsOn.',
      },
    ]);
  });

  it('names unknown fields of an item', () => {
    expect(messages({ requests: [get('a', { dependOn: ['b'], atomic: true })] })).toEqual([
      'Request "a": unknown fields "dependOn", "atomic"; a request has id, method, url, headers, body and dependsOn.',
    ]);
  });

  it('names each missing field', () => {
    expect(problems({ requests: [{}] })).toEqual([
      {
        path: 'requests.0.id',
        code: 'invalid_type',
        message: 'Request #1: id is required, e.g. "create-alice".',
      },
      {
        path: 'requests.0.method',
        code: 'invalid_value',
        message: 'Request #1: method is required: use one of GET, POST, PUT, PATCH, DELETE (upper case).',
      },
      {
        path: 'requests.0.url',
        code: 'invalid_type',
        message: 'Request #1: url is required: a path of this API, e.g. "/v1/admin/users/u_123".',
      },
    ]);
  });
});

describe('request ids', () => {
  it.each(['', 'x'.repeat(65), 'has space', 'quote"d', 'ünï'])('refuse %j', (id) => {
    const [detail] = problems({ requests: [get(id)] });
    expect(detail?.path).toBe('requests.0.id');
    expect(detail?.message).toBe(
      'Request #1: id must be 1 to 64 characters of letters, digits, ".", "_", ":", "~" or "-", e.g. "create-alice".',
    );
  });

  it('must be strings', () => {
    expect(messages({ requests: [get('a', { id: 7 })] })).toEqual([
      'Request #1: id must be a string, e.g. "create-alice".',
    ]);
  });
});

describe('methods', () => {
  it.each(['get', 'HEAD', 'OPTIONS', 'TRACE', 7])('refuse %j', (method) => {
    expect(problems({ requests: [get('a', { method })] })).toEqual([
      {
        path: 'requests.0.method',
        code: 'invalid_value',
        message:
          'Request "a": method is not supported: use one of GET, POST, PUT, PATCH, DELETE (upper case).',
      },
    ]);
  });
});

describe('urls', () => {
  const only =
    'url must be a path of this API starting with a single "/", without scheme or host, e.g. "/v1/admin/users/u_123".';
  const dots =
    'url must not contain "." or ".." segments; name the resource\'s path directly, e.g. "/v1/admin/users/u_123".';
  const characters =
    'url must not contain spaces, control characters, "\\" or a "#" fragment; percent-encode them.';

  it.each([
    ['v1/admin/users', only],
    ['https://muster.example/v1/admin/users', only],
    ['//evil.example/v1/admin/users', only],
    ['', only],
    ['/v1/admin/../tenants', dots],
    ['/v1/admin/users/..', dots],
    ['/v1/./admin', dots],
    ['/v1/%2e%2E/tenants', dots],
    ['/v1/%2e/tenants', dots],
    ['/v1/admin/users#top', characters],
    ['/v1/admin users', characters],
    ['/v1/admin\\users', characters],
    ['/v1/admin/users\n', characters],
    ['/v1/admin/users/%zz', 'url has a malformed percent-encoding in "%zz".'],
    [`/v1/${'x'.repeat(2045)}`, 'url is longer than 2048 characters.'],
    [
      '/api/v1/$batch',
      'url must not be the $batch endpoint itself: batches do not nest. Put the requests in this envelope.',
    ],
    [
      '/v1/$batch',
      'url must not be the $batch endpoint itself: batches do not nest. Put the requests in this envelope.',
    ],
  ])('refuse %j', (url, message) => {
    expect(problems({ requests: [{ id: 'a', method: 'GET', url }] })).toEqual([
      { path: 'requests.0.url', code: 'custom', message: `Request "a": ${message}` },
    ]);
  });

  it('accept a query string with dots and slashes', () => {
    const url = '/v1/admin/users?next=../x&email=a.b@example.com';
    expect(parseBatchEnvelope({ requests: [{ id: 'a', method: 'GET', url }] }).requests[0]?.url).toBe(url);
  });

  it('must be strings', () => {
    expect(messages({ requests: [get('a', { url: 42 })] })).toEqual([
      'Request "a": url must be a string: a path of this API, e.g. "/v1/admin/users/u_123".',
    ]);
  });
});

describe('headers', () => {
  it.each(['Authorization', 'authorization', 'COOKIE', 'Host'])(
    'refuse %s: a request runs as the caller',
    (name) => {
      expect(problems({ requests: [get('a', { headers: { [name]: 'x' } })] })).toEqual([
        {
          path: `requests.0.headers.${name}`,
          code: 'invalid_key',
          message: `Request "a": the "${name.toLowerCase()}" header may not be set on a request of a batch: every request runs as the caller of the envelope.`,
        },
      ]);
    },
  );

  it.each(['bad name', 'x:y', '', 'ä'])('refuse the name %j', (name) => {
    expect(messages({ requests: [get('a', { headers: { [name]: 'x' } })] })).toEqual([
      `Request "a": "${name}" is not a valid header name; use letters, digits and "-".`,
    ]);
  });

  it('refuse names that differ only in case, naming every collision', () => {
    expect(
      problems({
        requests: [
          get('a', { headers: { 'If-Match': '"1"', 'if-match': '"2"', 'X-A': '1', 'x-a': '2', 'X-a': '3' } }),
        ],
      }),
    ).toEqual([
      {
        path: 'requests.0.headers',
        code: 'custom',
        message:
          'Request "a": headers name the same header more than once ("If-Match" and "if-match"; "X-A" and "x-a" and "X-a"); header names ignore case, so keep one of each.',
      },
    ]);
  });

  it('refuse values that are not strings', () => {
    expect(problems({ requests: [get('a', { headers: { 'if-match': 3 } })] })).toEqual([
      {
        path: 'requests.0.headers.if-match',
        code: 'invalid_type',
        message: 'Request "a": header values must be strings.',
      },
    ]);
  });

  it.each([['x'], 'x', null])('refuse %j instead of an object', (headers) => {
    expect(messages({ requests: [get('a', { headers })] })).toEqual([
      'Request "a": headers must be an object of header names to string values.',
    ]);
  });

  it('report every header problem at once', () => {
    expect(
      messages({
        requests: [get('a', { headers: { Cookie: 's', 'bad name': 'x', n: 1, 'X-A': '1', 'x-a': '2' } })],
      }),
    ).toHaveLength(4);
  });
});

describe('bodies', () => {
  it('are refused on GET, even empty', () => {
    for (const body of [{}, null, '']) {
      expect(problems({ requests: [get('a', { body })] })).toEqual([
        {
          path: 'requests.0.body',
          code: 'custom',
          message: 'Request "a": a GET request carries no body; put its parameters in the url query.',
        },
      ]);
    }
  });

  it('are refused on GET beside the request’s other problems', () => {
    expect(messages({ requests: [get('a', { body: {}, url: 'x' })] })).toHaveLength(2);
  });
});

describe('dependency rules', () => {
  it('refuse every repeated id, pointing at its first use', () => {
    expect(problems({ requests: [get('a'), get('b'), get('a'), get('a')] })).toEqual([
      {
        path: 'requests.2.id',
        code: 'DUPLICATE_ID',
        message:
          'Request "a": the id "a" is already used by request #1; give every request of a batch its own id.',
      },
      {
        path: 'requests.3.id',
        code: 'DUPLICATE_ID',
        message:
          'Request "a": the id "a" is already used by request #1; give every request of a batch its own id.',
      },
    ]);
  });

  it('refuse a dependency on an unknown id, listing the ids there are', () => {
    expect(problems({ requests: [get('a'), get('b', { dependsOn: ['a', 'c', 'A'] })] })).toEqual([
      {
        path: 'requests.1.dependsOn',
        code: 'UNKNOWN_DEPENDENCY',
        message: 'Request "b": it depends on "c", but no request of this batch has that id (ids: "a", "b").',
      },
      {
        path: 'requests.1.dependsOn',
        code: 'UNKNOWN_DEPENDENCY',
        message: 'Request "b": it depends on "A", but no request of this batch has that id (ids: "a", "b").',
      },
    ]);
  });

  it('refuse a request depending on itself', () => {
    expect(problems({ requests: [get('a', { dependsOn: ['a'] })] })).toEqual([
      {
        path: 'requests.0.dependsOn',
        code: 'SELF_DEPENDENCY',
        message: 'Request "a": it depends on itself, so it could never run; remove "a" from its dependsOn.',
      },
    ]);
  });

  it('refuse a dependsOn that is not a list of ids', () => {
    expect(messages({ requests: [get('a', { dependsOn: 'b' })] })).toEqual([
      'Request "a": dependsOn must be an array of request ids of this batch.',
    ]);
  });

  it('refuse a cycle of two, naming both ids', () => {
    expect(problems({ requests: [get('a', { dependsOn: ['b'] }), get('b', { dependsOn: ['a'] })] })).toEqual([
      {
        path: 'requests.0.dependsOn',
        code: 'DEPENDENCY_CYCLE',
        message:
          'Request "a": requests "a" → "b" → "a" depend on each other in a cycle ("→" reads "depends on"), so none of them can run first; remove one of these dependsOn links.',
      },
    ]);
  });

  it('name a longer cycle in the order it runs round, from its first request, leaving out requests outside it', () => {
    const [detail, ...rest] = problems({
      requests: [
        get('start'),
        get('c', { dependsOn: ['a'] }),
        get('b', { dependsOn: ['c', 'start'] }),
        get('a', { dependsOn: ['b'] }),
        get('tail', { dependsOn: ['a'] }),
      ],
    });
    expect(rest).toEqual([]);
    expect(detail?.path).toBe('requests.1.dependsOn');
    expect(detail?.message).toContain('requests "c" → "a" → "b" → "c" depend on each other');
  });

  it('report each separate cycle', () => {
    const cycles = problems({
      requests: [
        get('a', { dependsOn: ['b'] }),
        get('b', { dependsOn: ['a'] }),
        get('x', { dependsOn: ['z'] }),
        get('y', { dependsOn: ['x'] }),
        get('z', { dependsOn: ['y'] }),
      ],
    }).map((detail) => detail.message);
    expect(cycles).toHaveLength(2);
    expect(cycles[0]).toContain('"a" → "b" → "a"');
    expect(cycles[1]).toContain('"x" → "z" → "y" → "x"');
  });

  it('report one, shortest cycle for a tangle of requests depending on each other', () => {
    const cycles = messages({
      requests: [
        get('a', { dependsOn: ['b', 'c'] }),
        get('b', { dependsOn: ['c'] }),
        get('c', { dependsOn: ['a', 'b'] }),
      ],
    });
    expect(cycles).toHaveLength(1);
    expect(cycles[0]).toContain('requests "a" → "c" → "a" depend on each other');
  });

  it('run beside shape problems, over the requests whose ids can be read', () => {
    expect(
      problems({
        requests: [
          get('a', { method: 'HEAD', dependsOn: ['b'] }),
          get('b', { dependsOn: ['a', 'ghost'] }),
          { method: 'GET', url: '/v1/x', dependsOn: ['a'] },
          get('b'),
        ],
      }).map((detail) => [detail.path, detail.code]),
    ).toEqual([
      ['requests.0.method', 'invalid_value'],
      ['requests.0.dependsOn', 'DEPENDENCY_CYCLE'],
      ['requests.1.dependsOn', 'UNKNOWN_DEPENDENCY'],
      ['requests.2.id', 'invalid_type'],
      ['requests.3.id', 'DUPLICATE_ID'],
    ]);
  });

  it('summarise several problems, pointing at the details', () => {
    const error = refusal({ requests: [get('a'), get('a'), get('b', { dependsOn: ['z'] })] });
    expect(error.message).toBe(
      'The batch has 2 problems and nothing was run; see details. First: Request "a": the id "a" is already used by request #1; give every request of a batch its own id.',
    );
  });
});

describe('the execution plan', () => {
  const plan = (requests: BatchEnvelope['requests']) =>
    executionPlan(requests).map((wave) => wave.map((request) => request.id));
  const node = (id: string, dependsOn?: string[]) => ({
    id,
    method: 'GET' as const,
    url: '/v1/x',
    dependsOn,
  });

  it('runs independent requests in one wave, in request order', () => {
    expect(plan([node('c'), node('a'), node('b')])).toEqual([['c', 'a', 'b']]);
  });

  it('runs a chain one request per wave', () => {
    expect(plan([node('c', ['b']), node('b', ['a']), node('a')])).toEqual([['a'], ['b'], ['c']]);
  });

  it('puts each request in the earliest wave after all its dependencies', () => {
    expect(
      plan([
        node('create'),
        node('roles', ['create']),
        node('other'),
        node('deactivate', ['roles', 'other']),
        node('audit', ['create']),
      ]),
    ).toEqual([['create', 'other'], ['roles', 'audit'], ['deactivate']]);
  });

  it('hands back the requests themselves', () => {
    const requests = [node('a'), node('b', ['a'])];
    const [first, second] = executionPlan(requests);
    expect(first?.[0]).toBe(requests[0]);
    expect(second?.[0]).toBe(requests[1]);
  });

  it('refuses requests that can never run', () => {
    expect(() => executionPlan([node('a', ['b']), node('b', ['a'])])).toThrow(
      'No request of a, b can run: validate the batch with parseBatchEnvelope first.',
    );
  });
});

describe('dependents of a failed request', () => {
  const node = (id: string, dependsOn?: string[]) => ({ id, dependsOn });
  const plan = executionPlan([
    node('a'),
    node('b', ['a']),
    node('c', ['b']),
    node('d'),
    node('e', ['d', 'b']),
    node('f', ['d']),
  ]);

  it('are none when nothing failed', () => {
    expect(dependentsToSkip(plan, []).size).toBe(0);
  });

  it('are skipped directly and transitively, naming the request that failed', () => {
    expect(Object.fromEntries(dependentsToSkip(plan, ['a']))).toEqual({
      b: { failedId: 'a', message: 'Not run: it depends on request "a", which failed.' },
      c: {
        failedId: 'a',
        message: 'Not run: it depends on request "b", which was not run because request "a" failed.',
      },
      e: {
        failedId: 'a',
        message: 'Not run: it depends on request "b", which was not run because request "a" failed.',
      },
    });
  });

  it('leave requests that do not depend on the failure alone', () => {
    expect([...dependentsToSkip(plan, ['d']).keys()].sort()).toEqual(['e', 'f']);
  });

  it('exclude requests that ran and failed themselves', () => {
    expect([...dependentsToSkip(plan, ['a', 'b']).keys()].sort()).toEqual(['c', 'e']);
    expect(dependentsToSkip(plan, ['a', 'b']).get('c')?.failedId).toBe('b');
  });

  it('name the first failed dependency in dependsOn order', () => {
    expect(dependentsToSkip(plan, ['b', 'd']).get('e')).toEqual({
      failedId: 'd',
      message: 'Not run: it depends on request "d", which failed.',
    });
  });
});

describe('success of a sub-request', () => {
  it.each([200, 201, 204, 299])('is %i', (status) => expect(succeeded(status)).toBe(true));
  it.each([100, 199, 300, 304, 404, 412, 424, 429, 500])('is not %i', (status) =>
    expect(succeeded(status)).toBe(false),
  );
});
