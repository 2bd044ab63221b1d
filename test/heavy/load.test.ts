import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LOAD, LOAD_RUN_QUOTA, runLoad, STEADY_BATCH_SIZE } from '../../scripts/load/load-run';
import { formatReport, inClass, type LoadReport, REQUEST_KINDS } from '../../scripts/load/report';
import { startOwnStack } from '../integration/support/own-stack';

const PER_CALLER = LOAD_RUN_QUOTA.perCallerPerMinute;
const only2xx = (statuses: Readonly<Record<number, number>>) =>
  Object.keys(statuses).filter((status) => Number(status) < 200 || Number(status) >= 300);

// Runs next to other work on two cores: it asserts what the API answered, never how fast.
describe(`load: ${DEFAULT_LOAD.seconds} s of mixed admin reads, $batch and import status, then one caller past ${PER_CALLER} a minute`, () => {
  let report: LoadReport;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    // The environment wins over the stack's options (as for `npm start`): set it to the same.
    const own = await startOwnStack(
      {
        MUSTER_RATE_LIMIT_RPM: String(LOAD_RUN_QUOTA.perCallerPerMinute),
        MUSTER_TENANT_RATE_LIMIT_RPM: String(LOAD_RUN_QUOTA.perTenantPerMinute),
      },
      { requestQuota: LOAD_RUN_QUOTA },
    );
    stop = own.stop;
    report = await runLoad({ ...DEFAULT_LOAD, apiUrl: own.stack.apiUrl, perCallerLimit: PER_CALLER });
    console.log(formatReport(report));
  }, 400_000);

  afterAll(async () => {
    await stop?.();
  });

  it('answers every steady request 2xx, the requests inside $batch too: no 5xx, no 429, no request left unanswered', () => {
    const { kinds, overall } = report.steady;
    for (const kind of REQUEST_KINDS) {
      expect(kinds[kind].responses, kind).toBeGreaterThan(0);
      expect(only2xx(kinds[kind].statuses), kind).toEqual([]);
    }
    expect(only2xx(overall.subStatuses)).toEqual([]);
    expect(inClass(overall.statuses, 500) + inClass(overall.subStatuses, 500)).toBe(0);
    expect((overall.statuses[429] ?? 0) + (overall.subStatuses[429] ?? 0)).toBe(0);
    expect(overall.transportErrors).toBe(0);
    expect(overall.errorRate).toBe(0);
    // Every envelope answered each of its requests.
    const subAnswers = Object.values(kinds.batch.subStatuses).reduce((sum, times) => sum + times, 0);
    expect(subAnswers).toBe(kinds.batch.responses * STEADY_BATCH_SIZE);
  });

  it('records p50 and p99 per request kind and overall', () => {
    for (const figures of [
      ...REQUEST_KINDS.map((kind) => report.steady.kinds[kind]),
      report.steady.overall,
    ]) {
      expect(figures.p50Ms).toBeGreaterThan(0);
      expect(figures.p99Ms).toBeGreaterThanOrEqual(figures.p50Ms);
      expect(Number.isFinite(figures.p99Ms)).toBe(true);
    }
  });

  it('refuses the caller past its limit with 429 and Retry-After, and only past it', () => {
    const { push } = report;
    expect(push.transportErrors).toBe(0);
    expect(inClass(push.statuses, 500)).toBe(0);
    expect(Object.keys(push.statuses).map(Number).sort()).toEqual([200, 429]);
    expect(push.throttledEnvelopes).toBeGreaterThan(0);
    expect(push.throttledEnvelopesWithRetryAfter).toBe(push.throttledEnvelopes);
    expect(push.throttledRequestsWithRetryAfter).toBe(push.throttledRequests);
    // A new caller's whole first window ran, and no window let more than the limit through.
    expect(push.admittedRequests).toBeGreaterThanOrEqual(PER_CALLER);
    expect(push.admittedRequests).toBeLessThanOrEqual(push.quotaWindows * PER_CALLER);
    expect(push.admittedRequests + push.throttledRequests + push.throttledEnvelopes * push.envelopeSize).toBe(
      push.requestsSent,
    );
  });
});
