import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { call, errorCode, type Principal, principal, uniqueTenant } from '../support/api';
import { BASE, csvOf, rowCountsSchema, validatedTask, waitForStatus } from './import-support';

const listedSchema = z.strictObject({
  taskId: z.string(),
  status: z.string(),
  fileName: z.string(),
  counts: rowCountsSchema,
  operator: z.strictObject({ userId: z.string(), email: z.string().optional() }),
  createdAt: z.string(),
  updatedAt: z.string(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  durationSeconds: z.number().optional(),
});
const pageSchema = z.strictObject({ items: z.array(listedSchema), nextToken: z.string().optional() });

async function list(caller: Principal, query = '') {
  const response = await call('GET', `${BASE}${query}`, { token: caller.token });
  expect(response.status, response.text).toBe(200);
  return pageSchema.parse(response.body);
}

describe('GET /internal/iam/users/bulk-import', () => {
  const tenantId = uniqueTenant('imports');
  let uploader: Principal;
  let committer: Principal;
  /** Oldest first: the committed import, then two left validated. */
  const created: string[] = [];

  beforeAll(async () => {
    uploader = await principal(tenantId, `uploader@${tenantId}.test`, ['tenant_admin']);
    committer = await principal(tenantId, `committer@${tenantId}.test`, ['operator']);
    const rows = (prefix: string) =>
      csvOf(['email'], [[`${prefix}1@${tenantId}.test`], [`${prefix}2@${tenantId}.test`]]);
    const first = await validatedTask(uploader, rows('a'), { fileName: 'first.csv' });
    const committed = await call('POST', `${BASE}/commit`, {
      token: committer.token,
      body: { taskId: first, sendWelcome: false },
    });
    expect(committed.status, committed.text).toBe(202);
    await waitForStatus(uploader, first, ['COMPLETED']);
    created.push(first);
    created.push(await validatedTask(uploader, rows('b'), { fileName: 'second.csv' }));
    created.push(await validatedTask(uploader, rows('c'), { fileName: 'third.csv' }));
  }, 120_000);

  it('lists the tenant’s imports newest first with status, counts, operator and duration', async () => {
    const page = await list(uploader);
    expect(page.nextToken).toBeUndefined();
    expect(page.items.map((item) => item.taskId)).toEqual([...created].reverse());
    const [third, , first] = page.items;
    expect(first).toMatchObject({
      status: 'COMPLETED',
      fileName: 'first.csv',
      counts: { total: 2, valid: 2, invalid: 0, succeeded: 2, failed: 0 },
      operator: { userId: committer.userId, email: `committer@${tenantId}.test` },
    });
    expect(Date.parse(first?.finishedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(first?.startedAt ?? ''));
    expect(first?.durationSeconds).toBeGreaterThanOrEqual(0);
    expect(third).toMatchObject({
      status: 'VALIDATED',
      fileName: 'third.csv',
      counts: { total: 2, valid: 2, succeeded: 0 },
      operator: { userId: uploader.userId, email: `uploader@${tenantId}.test` },
    });
    expect(third).not.toHaveProperty('startedAt');
    expect(third).not.toHaveProperty('durationSeconds');
  });

  it('pages with an opaque nextToken until every import was seen once', async () => {
    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await list(
        uploader,
        `?limit=2${nextToken ? `&nextToken=${encodeURIComponent(nextToken)}` : ''}`,
      );
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((item) => item.taskId));
      nextToken = page.nextToken;
      pages += 1;
    } while (nextToken && pages < 5);
    expect(seen).toEqual([...created].reverse());
  });

  it('hands out no token when a page holds the last import', async () => {
    const whole = await list(uploader, `?limit=${created.length}`);
    expect(whole.items.map((item) => item.taskId)).toEqual([...created].reverse());
    expect(whole.nextToken).toBeUndefined();
  });

  it('filters by status', async () => {
    const completed = await list(uploader, '?status=COMPLETED');
    expect(completed.items.map((item) => item.taskId)).toEqual([created[0]]);
    const validated = await list(uploader, '?status=VALIDATED');
    expect(validated.items.map((item) => item.taskId)).toEqual([created[2], created[1]]);
    expect((await list(uploader, '?status=FAILED')).items).toEqual([]);
  });

  it('shows another tenant none of these imports and refuses its token here', async () => {
    const otherTenant = uniqueTenant('imports-b');
    const other = await principal(otherTenant, `admin@${otherTenant}.test`, ['tenant_admin']);
    expect((await list(other)).items).toEqual([]);

    const ours = await list(uploader, '?limit=1');
    expect(ours.nextToken).toBeDefined();
    const foreign = await call('GET', `${BASE}?nextToken=${encodeURIComponent(ours.nextToken ?? '')}`, {
      token: other.token,
    });
    expect(foreign.status).toBe(400);
    expect(errorCode(foreign)).toBe('INVALID_NEXT_TOKEN');
  });

  it.each([
    ['a forged nextToken', '?nextToken=forged', 400, 'INVALID_NEXT_TOKEN'],
    ['a limit over 100', '?limit=101', 422, 'VALIDATION_FAILED'],
    ['an unknown status', '?status=DONE', 422, 'VALIDATION_FAILED'],
  ])('answers %s with the error envelope', async (_label, query, status, code) => {
    const response = await call('GET', `${BASE}${query}`, { token: uploader.token });
    expect(response.status, response.text).toBe(status);
    expect(errorCode(response)).toBe(code);
  });
});
