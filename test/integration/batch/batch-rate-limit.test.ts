import { describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { errorCode, principal, uniqueTenant } from '../support/api';
import { absentUserReads, answersOf, codeOf, sendBatch, startOfAQuotaWindow } from './batch-support';

/** The per-caller limit the shared stack runs with (config/request-quota.ts, MUSTER_RATE_LIMIT_RPM). */
const perCaller = z.coerce.number().int().min(40).parse(inject('env').MUSTER_RATE_LIMIT_RPM);

describe('$batch rate limit', () => {
  it(`scenario 16: past ${perCaller} requests a minute, requests answer 429 with Retry-After, then the whole envelope`, async () => {
    const tenantId = uniqueTenant('batchrate');
    const caller = await principal(tenantId, 'busy@acme.test', ['tenant_admin']);
    const colleague = await principal(tenantId, 'colleague@acme.test', ['tenant_admin']);
    await startOfAQuotaWindow();
    const windowStarted = Math.floor(Date.now() / 60_000);

    // Every request of a batch counts, whatever it answers: use all but 10 of the minute, a few
    // batches at a time.
    const sizes: number[] = [];
    for (let left = perCaller - 10; left > 0; left -= 20) sizes.push(Math.min(20, left));
    for (let start = 0; start < sizes.length; start += 4) {
      const batches = sizes
        .slice(start, start + 4)
        .map((size, offset) => absentUserReads(size, `fill${start + offset}`));
      for (const response of await Promise.all(batches.map((requests) => sendBatch(caller, requests)))) {
        expect([...answersOf(response).values()].every((found) => found.status === 404)).toBe(true);
      }
    }

    const crossingResponse = await sendBatch(caller, absentUserReads(20, 'crossing'));
    const crossing = answersOf(crossingResponse);
    const statuses = [...crossing.values()].map((found) => found.status);
    expect(statuses.filter((status) => status === 404)).toHaveLength(10);
    const throttled = [...crossing.values()].filter((found) => found.status === 429);
    expect(throttled).toHaveLength(10);
    for (const found of throttled) {
      expect(codeOf(found)).toBe('RATE_LIMITED');
      const retryAfter = Number(found.headers?.['retry-after']);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(found.headers?.['x-correlation-id']).toBe(
        `${crossingResponse.headers.get('x-correlation-id')}:${found.id}`,
      );
    }
    // Quota went to the requests in order: the first ten ran.
    expect(statuses.slice(0, 10).every((status) => status === 404)).toBe(true);

    const refused = await sendBatch(caller, absentUserReads(1, 'over'));
    expect(refused.status).toBe(429);
    expect(errorCode(refused)).toBe('RATE_LIMITED');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

    // The limit is per caller: a colleague of the same tenant still gets through.
    const other = answersOf(await sendBatch(colleague, absentUserReads(2, 'colleague')));
    expect([...other.values()].map((found) => found.status)).toEqual([404, 404]);
    expect(Math.floor(Date.now() / 60_000), 'the test ran inside one quota window').toBe(windowStarted);
  });
});
