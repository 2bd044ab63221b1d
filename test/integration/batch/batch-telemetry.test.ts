import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { principal, uniqueTenant } from '../support/api';
import { handlerLogs, metricDataPoints } from '../support/telemetry';
import { answersOf, createUser, sendBatch, USERS } from './batch-support';

/** The telemetry is written as the batch answers; reading it back may take a moment longer. */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('$batch observability', () => {
  it('scenario 17: counters of envelopes and sub-requests by status, and log lines per envelope and per request, under correlation ids', async () => {
    const admin = await principal(uniqueTenant('batchobs'), 'admin@acme.test', ['tenant_admin']);
    const correlationId = `obs-${ulid().toLowerCase()}`;
    const answers = answersOf(
      await sendBatch(
        admin,
        [
          createUser('made', 'observed@acme.test'),
          createUser('invalid', 'not-an-email'),
          { id: 'ghost', method: 'GET', url: `${USERS}/u_ghost` },
        ],
        { 'x-correlation-id': correlationId },
      ),
    );
    expect([...answers.values()].map((found) => found.status)).toEqual([201, 422, 404]);
    expect(answers.get('made')?.headers?.['x-correlation-id']).toBe(`${correlationId}:made`);

    const logs = await eventually(
      () => handlerLogs({ correlationId }),
      (records) => records.some((record) => record.message === 'Batch answered'),
    );
    const perRequest = logs.filter((record) => record.message === 'Batch request answered');
    expect(
      perRequest.map((record) => [record.correlation_id, record.batch_request_id, record.status]).sort(),
    ).toEqual([
      [`${correlationId}:ghost`, 'ghost', 404],
      [`${correlationId}:invalid`, 'invalid', 422],
      [`${correlationId}:made`, 'made', 201],
    ]);
    expect(perRequest.every((record) => record.route !== undefined && record.duration_ms !== undefined)).toBe(
      true,
    );
    const [envelope, ...moreEnvelopes] = logs.filter((record) => record.message === 'Batch answered');
    expect(moreEnvelopes).toEqual([]);
    expect(envelope).toMatchObject({
      correlation_id: correlationId,
      status: 200,
      requests: 3,
      by_status: { '2xx': 1, '4xx': 2 },
    });
    // A request's own log lines (its route refusing it) carry its correlation id, not the envelope's.
    expect(logs).toContainEqual(
      expect.objectContaining({ message: 'Request refused', correlation_id: `${correlationId}:invalid` }),
    );
    // Personal data stays masked in every line.
    expect(JSON.stringify(logs)).not.toContain('observed@acme.test');

    const subrequests = await eventually(
      () => metricDataPoints({ name: 'BatchSubrequests', correlationId }),
      (points) => points.length >= 2,
    );
    const countByClass = Object.fromEntries(
      subrequests.map((point) => [point.dimensions.statusClass, point.sum]),
    );
    expect(countByClass).toEqual({ '2xx': 1, '4xx': 2 });
    const [envelopes] = await metricDataPoints({ name: 'BatchRequests', correlationId });
    expect(envelopes?.sum).toBe(1);
    const [duration] = await metricDataPoints({ name: 'BatchDuration', correlationId });
    expect(duration?.unit).toBe('Milliseconds');
  });

  it('counts a refused envelope by its status', async () => {
    const admin = await principal(uniqueTenant('batchobs'), 'admin@acme.test', ['tenant_admin']);
    const correlationId = `obs-${ulid().toLowerCase()}`;
    const response = await sendBatch(
      admin,
      Array.from({ length: 21 }, (_, index) => createUser(`r${index}`, `r${index}@acme.test`)),
      { 'x-correlation-id': correlationId },
    );
    expect(response.status).toBe(413);
    const refused = await eventually(
      () => metricDataPoints({ name: 'BatchRefused', correlationId }),
      (points) => points.length > 0,
    );
    expect(refused).toEqual([
      expect.objectContaining({ sum: 1, dimensions: expect.objectContaining({ status: '413' }) }),
    ]);
  });
});
