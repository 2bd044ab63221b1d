import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type LocalStack, startLocalStack } from '../../../local/stack';
import { type ApiResponse, apiAt, errorCode, type Principal, uniqueTenant } from '../support/api';
import { answersOf, BATCH, type BatchRequest, USERS } from './batch-support';

/** Small limits, so a tenant's minute runs out in a few batches: a stack of this file runs with them. */
const PER_CALLER = 20;
const PER_TENANT = 50;

const reads = (count: number, prefix: string): BatchRequest[] =>
  Array.from({ length: count }, (_, index) => ({
    id: `${prefix}-${index}`,
    method: 'GET',
    url: `${USERS}/u_absent_${index}`,
  }));

/** Starting early in a minute keeps the whole test inside one quota window. */
async function startOfAWindow(): Promise<void> {
  const intoMinute = (Date.now() / 1000) % 60;
  if (intoMinute > 40) await sleep((60 - intoMinute) * 1000 + 50);
}

describe(`$batch tenant rate limit (${PER_CALLER} a caller, ${PER_TENANT} a tenant, on a stack of this file)`, () => {
  let stack: LocalStack;
  let api: ReturnType<typeof apiAt>;
  const envBeforeStack = { ...process.env };

  beforeAll(async () => {
    // The environment wins over the stack's options (as for `npm start`): set it to the same.
    vi.stubEnv('MUSTER_RATE_LIMIT_RPM', String(PER_CALLER));
    vi.stubEnv('MUSTER_TENANT_RATE_LIMIT_RPM', String(PER_TENANT));
    stack = await startLocalStack({
      requestQuota: { perCallerPerMinute: PER_CALLER, perTenantPerMinute: PER_TENANT },
    });
    api = apiAt(stack.apiUrl);
  });

  afterAll(async () => {
    await stack?.stop();
    vi.unstubAllEnvs();
    // The stack put its environment on this process; a worker reused by another file gets it back clean.
    for (const name of Object.keys(stack?.env ?? {})) {
      const before = envBeforeStack[name];
      if (before === undefined) delete process.env[name];
      else process.env[name] = before;
    }
  });

  const send = (caller: Principal, requests: readonly BatchRequest[]): Promise<ApiResponse> =>
    api.call('POST', BATCH, { token: caller.token, body: { requests } });
  const statuses = (response: ApiResponse) => [...answersOf(response).values()].map((found) => found.status);

  it("a caller past its own limit leaves the tenant's quota to its colleagues, and the tenant limit binds them together", async () => {
    const tenantId = uniqueTenant('tenantrate');
    const runaway = await api.principal(tenantId, 'runaway@acme.test', ['tenant_admin']);
    const first = await api.principal(tenantId, 'first@acme.test', ['tenant_admin']);
    const second = await api.principal(tenantId, 'second@acme.test', ['tenant_admin']);
    await startOfAWindow();
    const windowStarted = Math.floor(Date.now() / 60_000);

    expect(statuses(await send(runaway, reads(PER_CALLER, 'ran')))).toEqual(Array(PER_CALLER).fill(404));
    // A runaway script keeps sending: all refused by its own limit, none of it may count for the tenant.
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const refused = await send(runaway, reads(20, `refused${attempt}`));
      expect(refused.status).toBe(429);
      expect(errorCode(refused)).toBe('RATE_LIMITED');
    }

    // The tenant has used 20 of its 50: a colleague's 20 all run.
    expect(statuses(await send(first, reads(20, 'first')))).toEqual(Array(20).fill(404));
    // 40 used: of another colleague's 20, within its own limit, only 10 fit the tenant's minute.
    const crossing = statuses(await send(second, reads(20, 'second')));
    expect(crossing.slice(0, 10)).toEqual(Array(10).fill(404));
    expect(crossing.slice(10)).toEqual(Array(10).fill(429));
    expect(Math.floor(Date.now() / 60_000), 'the test ran inside one quota window').toBe(windowStarted);
  });
});
