import { decodeJwt } from 'jose';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { SESSION_COOKIE } from '../../../functions/auth/claims';
import {
  type LocalEndpointDependencies,
  type LocalRequest,
  localEndpoints,
} from '../../../local/api/local-endpoints';
import type { BusEventRecord } from '../../../local/eventbridge/bus';
import { EventBridgeFaultSwitch } from '../../../local/eventbridge/faults';
import { createLocalIssuer } from '../../../local/issuer/local-issuer';
import { SesFaultSwitch } from '../../../local/ses/faults';
import { createLocalTelemetry } from '../../../local/telemetry/telemetry';

const issuer = await createLocalIssuer({ baseUrl: 'http://127.0.0.1:1', audience: 'muster-api' });

function endpoints(overrides: Partial<LocalEndpointDependencies> = {}) {
  const routes = localEndpoints({
    issuer,
    ensurePrincipal: vi.fn(async () => ({ userId: 'u_1', subject: 'sub-1' })),
    sentEmails: async () => [],
    bus: { drain: async () => {}, events: () => [] },
    scheduler: { has: () => false, fire: async () => undefined },
    telemetry: createLocalTelemetry(),
    messagingFaults: { ses: new SesFaultSwitch(), eventbridge: new EventBridgeFaultSwitch() },
    dynamodbFaults: { throttleWrites: vi.fn(), clear: vi.fn(), throttling: () => undefined },
    ...overrides,
  });
  return (method: string, path: string) => {
    const route = routes.find((candidate) => candidate.method === method && candidate.path === path);
    if (!route) throw new Error(`no local route ${method} ${path}`);
    return (request: Partial<LocalRequest> = {}) =>
      route.handle({
        body: Buffer.alloc(0),
        contentType: undefined,
        query: new URLSearchParams(),
        correlationId: 'corr-1',
        pathParameters: {},
        ...request,
      });
  };
}

const pending: BusEventRecord = {
  id: 'e-1',
  'detail-type': 'iam.user.created',
  source: 'muster.iam',
  detail: {},
  time: '2026-01-01T00:00:00Z',
  bus: 'muster',
  deliveries: [{ rule: 'AuditTrail', status: 'pending', attempts: 1 }],
};

describe('GET /_local/events', () => {
  it('waits for deliveries in flight, then lists the events', async () => {
    let settled = false;
    const drain = async () => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      settled = true;
    };
    const events = vi.fn(() => (settled ? [{ ...pending, deliveries: [] }] : [pending]));
    const reply = await endpoints({ bus: { drain, events } })('GET', '/_local/events')();
    expect(reply.statusCode).toBe(200);
    expect(JSON.parse(reply.body.toString('utf8'))).toEqual([{ ...pending, deliveries: [] }]);
  });

  it('answers with what is recorded when a delivery never settles, instead of hanging', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const never = new Promise<void>(() => {});
    const reply = await endpoints({
      bus: { drain: () => never, events: () => [pending] },
      eventsDrainTimeoutMs: 20,
    })('GET', '/_local/events')();
    expect(reply.statusCode).toBe(200);
    expect(JSON.parse(reply.body.toString('utf8'))).toEqual([pending]);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/still in flight after 20 ms/));
    warn.mockRestore();
  });
});

function jsonPost(body: unknown): Partial<LocalRequest> {
  return { body: Buffer.from(JSON.stringify(body)), contentType: 'application/json' };
}

function bodyOf(reply: { body: Buffer }): Record<string, unknown> {
  return JSON.parse(reply.body.toString('utf8'));
}

describe('POST /_local/token', () => {
  it('provisions the principal and signs its own subject, with a verified email', async () => {
    const ensurePrincipal = vi.fn(async () => ({ userId: 'u_ada', subject: 'u_ada' }));
    const reply = await endpoints({ ensurePrincipal })('POST', '/_local/token')(
      jsonPost({ tenantId: 'acme', email: 'ada@example.com', roles: ['tenant_admin'] }),
    );
    expect(reply.statusCode).toBe(200);
    expect(ensurePrincipal).toHaveBeenCalledWith({
      tenantId: 'acme',
      email: 'ada@example.com',
      roles: ['tenant_admin'],
      issuer: issuer.issuer,
    });
    const body = bodyOf(reply);
    expect(body).toMatchObject({ userId: 'u_ada', tokenType: 'Bearer', expiresIn: 3600 });
    expect(decodeJwt(String(body.accessToken))).toMatchObject({
      sub: 'u_ada',
      tenant_id: 'acme',
      email: 'ada@example.com',
      email_verified: true,
    });
  });

  it('with a subject, provisions nothing and signs that subject: the answer has no userId', async () => {
    const ensurePrincipal = vi.fn(async () => ({ userId: 'u_ada', subject: 'u_ada' }));
    const reply = await endpoints({ ensurePrincipal })('POST', '/_local/token')(
      jsonPost({ tenantId: 'acme', email: 'new@example.com', subject: 'idp|12345' }),
    );
    expect(reply.statusCode).toBe(200);
    expect(ensurePrincipal).not.toHaveBeenCalled();
    const body = bodyOf(reply);
    expect(Object.keys(body).toSorted()).toEqual(['accessToken', 'expiresIn', 'tokenType']);
    expect(decodeJwt(String(body.accessToken))).toMatchObject({
      sub: 'idp|12345',
      tenant_id: 'acme',
      email: 'new@example.com',
      email_verified: true,
    });
  });

  it('refuses roles with a subject, which would provision nothing', async () => {
    const ensurePrincipal = vi.fn(async () => ({ userId: 'u_ada', subject: 'u_ada' }));
    const reply = await endpoints({ ensurePrincipal })('POST', '/_local/token')(
      jsonPost({ tenantId: 'acme', email: 'new@example.com', subject: 'idp|1', roles: ['member'] }),
    );
    expect(reply.statusCode).toBe(422);
    expect(ensurePrincipal).not.toHaveBeenCalled();
  });
});

describe('POST /_local/session', () => {
  it('signs a session token with a verified email', async () => {
    const reply = await endpoints()('POST', '/_local/session')(
      jsonPost({ tenantId: 'acme', email: 'ada@example.com' }),
    );
    expect(reply.statusCode).toBe(200);
    const session = reply.headers['set-cookie']?.find((cookie) => cookie.startsWith(`${SESSION_COOKIE}=`));
    const token = session?.split(';')[0]?.slice(SESSION_COOKIE.length + 1) ?? '';
    expect(decodeJwt(token)).toMatchObject({ sub: 'sub-1', tenant_id: 'acme', email_verified: true });
    expect(bodyOf(reply)).toMatchObject({ userId: 'u_1' });
  });
});

describe('POST /_local/schedules/{name}/run', () => {
  const run = (scheduler: LocalEndpointDependencies['scheduler'], name: string, body: unknown) =>
    endpoints({ scheduler })('POST', '/_local/schedules/{name}/run')({
      pathParameters: { name },
      body: Buffer.from(JSON.stringify(body)),
      contentType: 'application/json',
    });

  it('fires the schedule with the given time as its clock and answers with what the target returned', async () => {
    const fire = vi.fn(async () => ({ reminded: 2 }));
    const reply = await run({ has: (name) => name === 'ApprovalSweep', fire }, 'ApprovalSweep', {
      at: '2030-05-01T10:30:00+02:00',
      tenantId: 'acme',
    });
    expect(reply.statusCode).toBe(200);
    expect(fire).toHaveBeenCalledWith('ApprovalSweep', new Date('2030-05-01T08:30:00Z'), {
      tenantId: 'acme',
    });
    expect(JSON.parse(reply.body.toString('utf8'))).toEqual({
      schedule: 'ApprovalSweep',
      at: '2030-05-01T08:30:00.000Z',
      result: { reminded: 2 },
    });
  });

  it('answers 404 for a schedule that is not configured, and 422 for a time that is not one', async () => {
    const fire = vi.fn(async () => undefined);
    const unknown = await run({ has: () => false, fire }, 'Nope', {});
    expect(unknown.statusCode).toBe(404);
    expect(JSON.parse(unknown.body.toString('utf8')).error.code).toBe('SCHEDULE_NOT_FOUND');
    const badTime = await run({ has: () => true, fire }, 'ApprovalSweep', { at: 'tomorrow' });
    expect(badTime.statusCode).toBe(422);
    expect(fire).not.toHaveBeenCalled();
  });
});

describe('GET /_local/logs and /_local/metrics', () => {
  const telemetry = createLocalTelemetry();
  telemetry.capture(
    JSON.stringify({ level: 'INFO', message: 'Request answered', correlation_id: 'c-1', timestamp: 't' }),
  );
  telemetry.capture(JSON.stringify({ level: 'WARN', message: 'RBAC denied', correlation_id: 'c-1:r1' }));
  telemetry.capture(
    JSON.stringify({
      _aws: {
        Timestamp: 0,
        CloudWatchMetrics: [{ Namespace: 'Muster', Dimensions: [], Metrics: [{ Name: 'Calls' }] }],
      },
      Calls: 1,
      correlation_id: 'c-2',
    }),
  );
  const get = (path: string, query: string) =>
    endpoints({ telemetry })('GET', path)({ query: new URLSearchParams(query) });

  it('lists the records the query selects, the level in any case', async () => {
    const reply = await get('/_local/logs', 'correlationId=c-1&level=warn');
    expect(reply.statusCode).toBe(200);
    expect(bodyOf(reply)).toEqual({
      records: [{ level: 'WARN', message: 'RBAC denied', correlation_id: 'c-1:r1' }],
    });
    expect(bodyOf(await get('/_local/logs', 'message=answered&limit=5'))).toMatchObject({
      records: [{ message: 'Request answered' }],
    });
  });

  it('lists the data points of a metric name and correlation id', async () => {
    expect(bodyOf(await get('/_local/metrics', 'name=Calls&correlationId=c-2'))).toMatchObject({
      dataPoints: [{ name: 'Calls', values: [1], properties: { correlation_id: 'c-2' } }],
    });
    expect(bodyOf(await get('/_local/metrics', 'correlationId=c-1'))).toEqual({ dataPoints: [] });
  });

  it('answers 422 with the envelope for a level, a limit or a filter it does not know', async () => {
    for (const [path, query, field] of [
      ['/_local/logs', 'level=LOUD', 'query.level'],
      ['/_local/logs', 'limit=0', 'query.limit'],
      ['/_local/logs', 'limit=many', 'query.limit'],
      ['/_local/metrics', 'metric=Calls', 'query'],
    ] as const) {
      const reply = await get(path, query);
      expect(reply.statusCode, query).toBe(422);
      expect(bodyOf(reply), query).toMatchObject({
        error: { code: 'VALIDATION_FAILED', details: [expect.objectContaining({ path: field })] },
        correlationId: 'corr-1',
      });
    }
  });
});

describe('/_local/faults/dynamodb', () => {
  function faults() {
    const switches = {
      throttleWrites: vi.fn(),
      clear: vi.fn(),
      throttling: vi.fn((tenantId: string) =>
        tenantId === 'acme'
          ? {
              rate: 0.2,
              injected: {
                errors: { ProvisionedThroughputExceededException: 3, ThrottlingException: 2 },
                partialBatches: 1,
                unprocessedItems: 4,
                cancelledTransactions: 0,
                byOperation: { PutItem: 5, BatchWriteItem: 1 },
              },
            }
          : undefined,
      ),
    };
    return { switches, route: endpoints({ dynamodbFaults: switches }) };
  }

  it("throttles one tenant's writes, or nobody's with {}", async () => {
    const { switches, route } = faults();
    const armed = await route(
      'PUT',
      '/_local/faults/dynamodb',
    )(jsonPost({ tenantId: 'acme', writeThrottleRate: 0.2 }));
    expect(bodyOf(armed)).toEqual({ armed: true });
    expect(switches.throttleWrites).toHaveBeenCalledWith('acme', 0.2);
    const cleared = await route('PUT', '/_local/faults/dynamodb')(jsonPost({}));
    expect(bodyOf(cleared)).toEqual({ armed: false });
    expect(switches.clear).toHaveBeenCalledOnce();
  });

  it('answers 422 for a rate outside 0..1 or a field it does not know, arming nothing', async () => {
    const { switches, route } = faults();
    for (const body of [
      { tenantId: 'acme', writeThrottleRate: 1.5 },
      { tenantId: 'acme', writeThrottleRate: 0.2, readThrottleRate: 0.1 },
      { writeThrottleRate: 0.2 },
    ]) {
      const reply = await route('PUT', '/_local/faults/dynamodb')(jsonPost(body));
      expect(reply.statusCode, JSON.stringify(body)).toBe(422);
    }
    expect(switches.throttleWrites).not.toHaveBeenCalled();
    expect(switches.clear).not.toHaveBeenCalled();
  });

  it('reports what was injected for a tenant, and 404 for a tenant never armed', async () => {
    const { route } = faults();
    const report = await route(
      'GET',
      '/_local/faults/dynamodb',
    )({ query: new URLSearchParams('tenantId=acme') });
    expect(bodyOf(report)).toMatchObject({
      tenantId: 'acme',
      writeThrottleRate: 0.2,
      injected: { errors: { ProvisionedThroughputExceededException: 3 }, partialBatches: 1 },
    });
    const unknown = await route(
      'GET',
      '/_local/faults/dynamodb',
    )({ query: new URLSearchParams('tenantId=globex') });
    expect(unknown.statusCode).toBe(404);
    expect(bodyOf(unknown)).toMatchObject({ error: { code: 'FAULTS_NOT_ARMED' } });
  });
});

describe('PUT /_local/chaos', () => {
  const put = endpoints()('PUT', '/_local/chaos');
  const arm = (body: Record<string, unknown>) =>
    put({ body: Buffer.from(JSON.stringify(body)), contentType: 'application/json' });
  const armed = () =>
    z
      .array(z.object({ tenantId: z.string(), point: z.string() }))
      .parse(JSON.parse(process.env.MUSTER_CHAOS ?? '[]'))
      .map((fault) => `${fault.tenantId}:${fault.point}`);

  it('keeps one fault per tenant, so tests side by side never disarm each other', async () => {
    await arm({});
    await arm({ point: 'provision-batch', tenantId: 'acme', afterRow: 3 });
    await arm({ point: 'finalize', tenantId: 'globex' });
    await arm({ point: 'finalize', tenantId: 'acme' });
    expect(armed().sort()).toEqual(['acme:finalize', 'globex:finalize']);

    await arm({ tenantId: 'acme' });
    expect(armed()).toEqual(['globex:finalize']);
    await arm({});
    expect(process.env.MUSTER_CHAOS).toBeUndefined();
  });
});
