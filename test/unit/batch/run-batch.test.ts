import { describe, expect, it } from 'vitest';
import type { QuotaScope, QuotaWindow } from '../../../functions/batch/domain/request-quota';
import { type BatchDeps, runBatch, type SubRequest } from '../../../functions/batch/use-cases/run-batch';
import { BadRequestError, PayloadTooLargeError, ThrottledError } from '../../../functions/shared/errors';

const NOW = new Date('2026-11-22T10:15:20Z');

interface Harness {
  readonly deps: BatchDeps;
  readonly dispatched: SubRequest[];
  /** What each counter update added, in order. */
  readonly counted: [QuotaScope, number][];
  readonly maxInFlight: () => number;
}

/** A router stand-in: answers each url's status as given in `statusByUrl` (201 by default), after `delayMs`. */
function harness(
  options: {
    statusByUrl?: Record<string, number>;
    countsBefore?: Record<QuotaScope, number>;
    limits?: BatchDeps['limits'];
    delayMs?: (url: string) => number;
    concurrency?: number;
  } = {},
): Harness {
  const dispatched: SubRequest[] = [];
  const counted: [QuotaScope, number][] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const counts = { caller: 0, tenant: 0, ...options.countsBefore };
  return {
    dispatched,
    counted,
    maxInFlight: () => maxInFlight,
    deps: {
      unroutable: (method, url) =>
        url.startsWith('/v1/admin/') ? undefined : `no batchable route answers ${method} ${url}.`,
      dispatch: async (subRequest) => {
        dispatched.push(subRequest);
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((resolve) => setTimeout(resolve, options.delayMs?.(subRequest.request.url) ?? 1));
        inFlight -= 1;
        return {
          status: options.statusByUrl?.[subRequest.request.url] ?? 201,
          body: { url: subRequest.request.url },
        };
      },
      countRequests: async (scope: QuotaScope, count: number, _window: QuotaWindow) => {
        counted.push([scope, count]);
        counts[scope] += count;
        return counts[scope];
      },
      limits: options.limits ?? { perCaller: 100, perTenant: 1000 },
      clock: () => NOW,
      concurrency: options.concurrency ?? 4,
    },
  };
}

const post = (id: string, url = `/v1/admin/users/${id}/deactivate`, dependsOn?: string[]) => ({
  id,
  method: 'POST',
  url,
  ...(dependsOn ? { dependsOn } : {}),
});

describe('runBatch', () => {
  it('answers every request in request order, whatever order they finish in', async () => {
    const { deps } = harness({ delayMs: (url) => (url.includes('/a/') ? 30 : 1) });
    const outcomes = await runBatch(deps, {
      envelope: { requests: [post('a'), post('b'), post('c')] },
      correlationId: 'corr-1',
    });
    expect(outcomes.map((outcome) => [outcome.id, outcome.kind])).toEqual([
      ['a', 'answered'],
      ['b', 'answered'],
      ['c', 'answered'],
    ]);
  });

  it("gives every request its own correlation id under the envelope's", async () => {
    const { deps, dispatched } = harness();
    await runBatch(deps, { envelope: { requests: [post('a'), post('b')] }, correlationId: 'corr-1' });
    expect(dispatched.map((sub) => sub.correlationId).sort()).toEqual(['corr-1:a', 'corr-1:b']);
  });

  it('refuses an envelope of more than 20 requests whole, before counting or running any', async () => {
    const { deps, dispatched, counted } = harness();
    const requests = Array.from({ length: 21 }, (_, index) => post(`r${index}`));
    await expect(runBatch(deps, { envelope: { requests }, correlationId: 'c' })).rejects.toBeInstanceOf(
      PayloadTooLargeError,
    );
    expect(dispatched).toEqual([]);
    expect(counted).toEqual([]);
  });

  it('refuses a batch reaching a route no batch may reach, naming every such request', async () => {
    const { deps, dispatched, counted } = harness();
    const refusal = runBatch(deps, {
      envelope: {
        requests: [post('a'), post('b', '/internal/iam/users/bulk-import/commit'), post('c', '/v2/x')],
      },
      correlationId: 'c',
    });
    await expect(refusal).rejects.toBeInstanceOf(BadRequestError);
    await expect(refusal).rejects.toMatchObject({
      code: 'INVALID_BATCH',
      details: [
        {
          path: 'requests.1.url',
          code: 'UNSUPPORTED_ROUTE',
          message: expect.stringContaining('Request "b"'),
        },
        { path: 'requests.2.url', code: 'UNSUPPORTED_ROUTE', message: expect.stringContaining('/v2/x') },
      ],
    });
    expect(dispatched).toEqual([]);
    expect(counted).toEqual([]);
  });

  it('runs a request only after the requests it depends on', async () => {
    const order: string[] = [];
    const { deps } = harness({ delayMs: (url) => (url.includes('/first/') ? 20 : 1) });
    const traced: BatchDeps = {
      ...deps,
      dispatch: async (sub) => {
        const answer = await deps.dispatch(sub);
        order.push(sub.request.id);
        return answer;
      },
    };
    await runBatch(traced, {
      envelope: { requests: [post('second', undefined, ['first']), post('first')] },
      correlationId: 'c',
    });
    expect(order).toEqual(['first', 'second']);
  });

  it('does not run the dependents of a failed request, directly or through others, and runs the rest', async () => {
    const { deps, dispatched } = harness({ statusByUrl: { '/v1/admin/users/a/deactivate': 404 } });
    const outcomes = await runBatch(deps, {
      envelope: {
        requests: [post('a'), post('b', undefined, ['a']), post('c', undefined, ['b']), post('d')],
      },
      correlationId: 'c',
    });
    expect(outcomes).toEqual([
      expect.objectContaining({ id: 'a', kind: 'answered', status: 404 }),
      expect.objectContaining({ id: 'b', kind: 'not_run', failedId: 'a' }),
      expect.objectContaining({ id: 'c', kind: 'not_run', failedId: 'a' }),
      expect.objectContaining({ id: 'd', kind: 'answered', status: 201 }),
    ]);
    expect(dispatched.map((sub) => sub.request.id).sort()).toEqual(['a', 'd']);
  });

  it('runs independent requests concurrently, never more at once than its concurrency', async () => {
    const { deps, maxInFlight } = harness({ concurrency: 3, delayMs: () => 10 });
    const requests = Array.from({ length: 10 }, (_, index) => post(`r${index}`));
    await runBatch(deps, { envelope: { requests }, correlationId: 'c' });
    expect(maxInFlight()).toBe(3);
  });

  it('counts every request of the batch against the quota', async () => {
    const { deps, counted } = harness();
    await runBatch(deps, { envelope: { requests: [post('a'), post('b'), post('c')] }, correlationId: 'c' });
    expect(counted).toEqual([
      ['caller', 3],
      ['tenant', 3],
    ]);
  });

  it("charges the tenant only what the caller's own limit lets through", async () => {
    const { deps, counted, dispatched } = harness({ countsBefore: { caller: 97, tenant: 500 } });
    const requests = Array.from({ length: 5 }, (_, index) => post(`r${index}`));
    await runBatch(deps, { envelope: { requests }, correlationId: 'c' });
    expect(counted).toEqual([
      ['caller', 5],
      ['tenant', 3],
    ]);
    expect(dispatched).toHaveLength(3);
  });

  it("never charges the tenant for a caller already past its own limit, so it cannot use up its colleagues' minute", async () => {
    const { deps, counted } = harness({ countsBefore: { caller: 100, tenant: 500 } });
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await expect(
        runBatch(deps, { envelope: { requests: [post('a'), post('b')] }, correlationId: 'c' }),
      ).rejects.toBeInstanceOf(ThrottledError);
    }
    expect(counted.filter(([scope]) => scope === 'tenant')).toEqual([]);
  });

  it('the tenant limit binds a caller well within its own', async () => {
    const { deps, dispatched } = harness({ countsBefore: { caller: 0, tenant: 996 } });
    const requests = Array.from({ length: 10 }, (_, index) => post(`r${index}`));
    const outcomes = await runBatch(deps, { envelope: { requests }, correlationId: 'c' });
    expect(outcomes.map((outcome) => outcome.kind)).toEqual([
      ...Array(4).fill('answered'),
      ...Array(6).fill('throttled'),
    ]);
    expect(dispatched).toHaveLength(4);
  });

  it('refuses the whole batch with Retry-After once the quota is used up, running nothing', async () => {
    const { deps, dispatched } = harness({ countsBefore: { caller: 100, tenant: 100 } });
    const refusal = runBatch(deps, { envelope: { requests: [post('a')] }, correlationId: 'c' });
    await expect(refusal).rejects.toBeInstanceOf(ThrottledError);
    await expect(refusal).rejects.toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 40 });
    expect(dispatched).toEqual([]);
  });

  it('runs the requests that fit the quota, answers the rest 429, and does not run their dependents', async () => {
    const { deps, dispatched } = harness({ countsBefore: { caller: 98, tenant: 98 } });
    const outcomes = await runBatch(deps, {
      envelope: { requests: [post('a'), post('b'), post('c'), post('d', undefined, ['a'])] },
      correlationId: 'c',
    });
    // Plan order: a, b, c (wave 1), d (wave 2); two fit.
    expect(outcomes).toEqual([
      expect.objectContaining({ id: 'a', kind: 'answered' }),
      expect.objectContaining({ id: 'b', kind: 'answered' }),
      { id: 'c', kind: 'throttled', retryAfterSeconds: 40 },
      { id: 'd', kind: 'throttled', retryAfterSeconds: 40 },
    ]);
    expect(dispatched.map((sub) => sub.request.id).sort()).toEqual(['a', 'b']);
  });

  it("gives each write the envelope's key joined to its id, keeps a request's own key, and no key to a read", async () => {
    const { deps, dispatched } = harness();
    await runBatch(deps, {
      envelope: {
        requests: [
          post('a'),
          { ...post('b'), headers: { 'Idempotency-Key': 'own-key' } },
          { id: 'c', method: 'GET', url: '/v1/admin/users/c' },
        ],
      },
      correlationId: 'c',
      idempotencyKey: 'envelope-key',
    });
    const keyOf = (id: string) => dispatched.find((sub) => sub.request.id === id)?.idempotencyKey;
    expect(keyOf('a')).toBe('envelope-key:a');
    expect(keyOf('b')).toBe('own-key');
    expect(keyOf('c')).toBeUndefined();
  });

  it('leaves writes without a key when neither the envelope nor the request has one', async () => {
    const { deps, dispatched } = harness();
    await runBatch(deps, { envelope: { requests: [post('a')] }, correlationId: 'c' });
    expect(dispatched[0]?.idempotencyKey).toBeUndefined();
  });

  it('refuses an envelope key too long to be joined to a request id', async () => {
    const { deps, dispatched } = harness();
    const refusal = runBatch(deps, {
      envelope: { requests: [post('a')] },
      correlationId: 'c',
      idempotencyKey: 'k'.repeat(191),
    });
    await expect(refusal).rejects.toMatchObject({ code: 'INVALID_IDEMPOTENCY_KEY' });
    expect(dispatched).toEqual([]);
  });
});
