import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { call, errorCode, principal, uniqueTenant } from '../support/api';
import { handlerLogs, metricDataPoints } from '../support/telemetry';

/** A correlation id no other test sends, in the header's alphabet. */
const correlationId = (label: string) => `${label}-${ulid().toLowerCase()}`;

describe('handler logs and metrics of the local stack (local CloudWatch)', () => {
  it("keeps a request's INFO log records under its correlation id, with the function's context", async () => {
    const id = correlationId('me');
    const response = await call('GET', '/v1/me', {
      headers: { authorization: 'Bearer not-a-token', 'x-correlation-id': id },
    });
    expect(response.status).toBe(401);

    const records = await handlerLogs({ correlationId: id });
    expect(records).toEqual([
      expect.objectContaining({
        level: 'INFO',
        message: 'Request not authenticated',
        correlation_id: id,
        service: 'muster',
        code: 'TOKEN_INVALID',
        function_name: expect.stringMatching(/authorizer/i),
      }),
    ]);
  });

  it("records a route's metric with the request's correlation id, and its log records at every level", async () => {
    const tenantId = uniqueTenant('telemetry');
    const member = await principal(tenantId, 'member@acme.test', ['member']);
    const id = correlationId('rbac');
    const refused = await call('GET', '/v1/admin/users', {
      token: member.token,
      headers: { 'x-correlation-id': id },
    });
    expect(refused.status).toBe(403);
    expect(errorCode(refused)).toBe('PERMISSION_DENIED');

    const points = await metricDataPoints({ name: 'RbacDenied', correlationId: id });
    expect(points).toEqual([
      expect.objectContaining({
        namespace: 'Muster',
        name: 'RbacDenied',
        unit: 'Count',
        values: [1],
        sum: 1,
        dimensions: { service: 'muster' },
        properties: { correlation_id: id },
      }),
    ]);

    const all = await handlerLogs({ correlationId: id });
    expect(all.map((record) => [record.level, record.message])).toEqual([
      ['WARN', 'RBAC denied'],
      ['INFO', 'Request refused'],
    ]);
    expect(all[1]).toMatchObject({ code: 'PERMISSION_DENIED', operation: expect.any(String) });
    const warnings = await handlerLogs({ correlationId: id, level: 'WARN' });
    expect(warnings.map((record) => record.message)).toEqual(['RBAC denied']);
    const byMessage = await handlerLogs({ correlationId: id, message: 'refused' });
    expect(byMessage.map((record) => record.message)).toEqual(['Request refused']);
  });

  it("finds a request's records by the id it was sent under (as a $batch names each request <envelope>:<request>)", async () => {
    const envelope = correlationId('envelope');
    for (const request of ['r1', 'r2']) {
      const response = await call('GET', '/v1/me', {
        headers: { authorization: 'Bearer not-a-token', 'x-correlation-id': `${envelope}:${request}` },
      });
      expect(response.status).toBe(401);
    }
    const records = await handlerLogs({ correlationId: envelope });
    expect(records.map((record) => record.correlation_id)).toEqual([`${envelope}:r1`, `${envelope}:r2`]);
    expect(await handlerLogs({ correlationId: `${envelope}:r2` })).toHaveLength(1);
    expect(await handlerLogs({ correlationId: `${envelope}:r` })).toEqual([]);
  });

  it('answers 422 with the error envelope for a filter it does not know', async () => {
    const level = await call('GET', '/_local/logs?level=LOUD');
    expect(level.status).toBe(422);
    expect(errorCode(level)).toBe('VALIDATION_FAILED');
    const unknown = await call('GET', '/_local/metrics?metric=RbacDenied');
    expect(unknown.status).toBe(422);
    expect(errorCode(unknown)).toBe('VALIDATION_FAILED');
  });
});
