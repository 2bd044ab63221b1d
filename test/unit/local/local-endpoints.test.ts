import { describe, expect, it, vi } from 'vitest';
import {
  type LocalEndpointDependencies,
  type LocalRequest,
  localEndpoints,
} from '../../../local/api/local-endpoints';
import type { BusEventRecord } from '../../../local/eventbridge/bus';
import { createLocalIssuer } from '../../../local/issuer/local-issuer';

const issuer = await createLocalIssuer({ baseUrl: 'http://127.0.0.1:1', audience: 'muster-api' });

function endpoints(overrides: Partial<LocalEndpointDependencies> = {}) {
  const routes = localEndpoints({
    issuer,
    ensurePrincipal: vi.fn(async () => ({ userId: 'u_1', subject: 'sub-1' })),
    sentEmails: async () => [],
    bus: { drain: async () => {}, events: () => [] },
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
