import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiResponse, apiAt, errorCode, type Principal, uniqueTenant } from '../support/api';
import { startOwnStack } from '../support/own-stack';
import { absentUserReads, answersOf, BATCH, type BatchRequest, startOfAQuotaWindow } from './batch-support';

/** Small limits, so a tenant's minute runs out in a few batches: a stack of this file runs with them. */
const PER_CALLER = 20;
const PER_TENANT = 50;

describe(`$batch tenant rate limit (${PER_CALLER} a caller, ${PER_TENANT} a tenant, on a stack of this file)`, () => {
  let api: ReturnType<typeof apiAt>;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    // The environment wins over the stack's options (as for `npm start`): set it to the same.
    const own = await startOwnStack(
      { MUSTER_RATE_LIMIT_RPM: String(PER_CALLER), MUSTER_TENANT_RATE_LIMIT_RPM: String(PER_TENANT) },
      { requestQuota: { perCallerPerMinute: PER_CALLER, perTenantPerMinute: PER_TENANT } },
    );
    stop = own.stop;
    api = apiAt(own.stack.apiUrl);
  });

  afterAll(async () => {
    await stop?.();
  });

  const send = (caller: Principal, requests: readonly BatchRequest[]): Promise<ApiResponse> =>
    api.call('POST', BATCH, { token: caller.token, body: { requests } });
  const statuses = (response: ApiResponse) => [...answersOf(response).values()].map((found) => found.status);

  it("a caller past its own limit leaves the tenant's quota to its colleagues, and the tenant limit binds them together", async () => {
    const tenantId = uniqueTenant('tenantrate');
    const runaway = await api.principal(tenantId, 'runaway@acme.test', ['tenant_admin']);
    const first = await api.principal(tenantId, 'first@acme.test', ['tenant_admin']);
    const second = await api.principal(tenantId, 'second@acme.test', ['tenant_admin']);
    await startOfAQuotaWindow();
    const windowStarted = Math.floor(Date.now() / 60_000);

    expect(statuses(await send(runaway, absentUserReads(PER_CALLER, 'ran')))).toEqual(
      Array(PER_CALLER).fill(404),
    );
    // A runaway script keeps sending: all refused by its own limit, none of it may count for the tenant.
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const refused = await send(runaway, absentUserReads(20, `refused${attempt}`));
      expect(refused.status).toBe(429);
      expect(errorCode(refused)).toBe('RATE_LIMITED');
    }

    // The tenant has used 20 of its 50: a colleague's 20 all run.
    expect(statuses(await send(first, absentUserReads(20, 'first')))).toEqual(Array(20).fill(404));
    // 40 used: of another colleague's 20, within its own limit, only 10 fit the tenant's minute.
    const crossing = statuses(await send(second, absentUserReads(20, 'second')));
    expect(crossing.slice(0, 10)).toEqual(Array(10).fill(404));
    expect(crossing.slice(10)).toEqual(Array(10).fill(429));
    expect(Math.floor(Date.now() / 60_000), 'the test ran inside one quota window').toBe(windowStarted);
  });
});
