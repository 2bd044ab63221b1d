import { describe, expect, it } from 'vitest';
import type { ImportTask } from '../../../functions/bulk-import/adapters/import-task-repository';
import type { ImportFilter, ImportPosition } from '../../../functions/bulk-import/domain/import-listing';
import {
  type ListImportsDeps,
  listImports,
  MAX_IMPORTS_EXAMINED,
} from '../../../functions/bulk-import/use-cases/list-imports';
import type { User } from '../../../functions/identity/domain/user';
import { importTask } from './import-task-fixtures';

const STATUSES = ['COMPLETED', 'FAILED', 'COMPLETED_WITH_ERRORS', 'VALIDATED'] as const;

function taskNumber(index: number): ImportTask {
  const id = String(index).padStart(26, '0');
  const createdAt = new Date(Date.UTC(2026, 10, 1) + index * 60_000).toISOString();
  return importTask({
    taskId: `t_${id}`,
    status: STATUSES[index % STATUSES.length] ?? 'COMPLETED',
    createdAt,
    updatedAt: createdAt,
    createdBy: index % 2 === 0 ? 'u_even' : 'u_odd',
  });
}

/** The task table as the repository pages GSI1 backwards: newest first, `more` only when more are left. */
function tableOf(tasks: readonly ImportTask[], users: readonly Pick<User, 'userId' | 'email'>[] = []) {
  const newestFirst = [...tasks].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const reads: number[] = [];
  const userReads: string[] = [];
  const deps: ListImportsDeps = {
    tasks: {
      async pageOfTasks(tenantId: string, after: ImportPosition | undefined, limit: number) {
        const rest = newestFirst.filter(
          (task) => task.tenantId === tenantId && (!after || task.createdAt < after.createdAt),
        );
        const page = rest.slice(0, limit);
        reads.push(page.length);
        return { tasks: page, more: rest.length > limit };
      },
    },
    directory: {
      async getUser(_tenantId: string, userId: string) {
        userReads.push(userId);
        const user = users.find((candidate) => candidate.userId === userId);
        return user ? ({ ...user } as User) : undefined;
      },
    },
  };
  return { deps, reads, userReads };
}

async function walk(deps: ListImportsDeps, limit: number, filter: ImportFilter) {
  const seen: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await listImports(deps, 'acme', { limit, filter, ...(nextToken ? { nextToken } : {}) });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    seen.push(...page.items.map((item) => item.taskId));
    nextToken = page.nextToken;
  } while (nextToken);
  return seen;
}

const TASKS = Array.from({ length: 1300 }, (_, index) => taskNumber(index));
const newest = (tasks: readonly ImportTask[]) =>
  [...tasks].sort((a, b) => b.createdAt.localeCompare(a.createdAt)).map((task) => task.taskId);

describe('listImports', () => {
  it.each<[string, number, ImportFilter]>([
    ['a full last page', 4, {}],
    ['a filtered page whose match is the newest, with none older', 1, { status: 'VALIDATED' }],
  ])('hands out no token after %s', async (_case, limit, filter) => {
    const tasks = TASKS.slice(0, 4);
    const page = await listImports(tableOf(tasks).deps, 'acme', { limit, filter });
    expect(page.items.length).toBe(limit);
    expect(page.nextToken).toBeUndefined();
  });

  it.each<[number, ImportFilter]>([
    [25, {}],
    [7, {}],
    [100, { status: 'FAILED' }],
    [3, { status: 'VALIDATED' }],
  ])('walks every match once, newest first (limit %i, filter %j)', async (limit, filter) => {
    const tasks = TASKS.slice(0, 130);
    const seen = await walk(tableOf(tasks).deps, limit, filter);
    const expected = newest(tasks.filter((task) => !filter.status || task.status === filter.status));
    expect(expected.length).toBeGreaterThan(0);
    expect(seen).toEqual(expected);
  });

  it("leaves out other tenants' imports", async () => {
    const tasks = [taskNumber(1), { ...taskNumber(2), tenantId: 'other' }];
    expect(await walk(tableOf(tasks).deps, 25, {})).toEqual([taskNumber(1).taskId]);
  });

  it('reads no more than it returns without a filter, and ends when a read comes back short', async () => {
    const { deps, reads } = tableOf(TASKS.slice(0, 60));
    const first = await listImports(deps, 'acme', { limit: 25, filter: {} });
    expect(first.items).toHaveLength(25);
    expect(reads).toEqual([25]);
    const last = await listImports(deps, 'acme', { limit: 61, filter: {} });
    expect(last.items).toHaveLength(60);
    expect(last.nextToken).toBeUndefined();
  });

  it('stops a rare status after reading its share and hands back a token to go on', async () => {
    const { deps, reads } = tableOf(TASKS);
    const first = await listImports(deps, 'acme', { limit: 10, filter: { status: 'AWAITING_APPROVAL' } });
    expect(first.items).toEqual([]);
    expect(first.nextToken).toBeDefined();
    expect(reads.reduce((sum, size) => sum + size, 0)).toBe(MAX_IMPORTS_EXAMINED);
  });

  it('names each operator by email, reading each one once a page', async () => {
    const { deps, userReads } = tableOf(TASKS.slice(0, 6), [{ userId: 'u_even', email: 'even@acme.test' }]);
    const page = await listImports(deps, 'acme', { limit: 6, filter: {} });
    expect(userReads.sort()).toEqual(['u_even', 'u_odd']);
    expect(page.items.map((item) => item.operator)).toEqual([
      { userId: 'u_odd' },
      { userId: 'u_even', email: 'even@acme.test' },
      { userId: 'u_odd' },
      { userId: 'u_even', email: 'even@acme.test' },
      { userId: 'u_odd' },
      { userId: 'u_even', email: 'even@acme.test' },
    ]);
  });

  it('refuses a tampered token before reading anything', async () => {
    const { deps, reads } = tableOf(TASKS);
    await expect(
      listImports(deps, 'acme', { limit: 5, filter: {}, nextToken: 'tampered' }),
    ).rejects.toMatchObject({
      code: 'INVALID_NEXT_TOKEN',
    });
    expect(reads).toEqual([]);
  });
});
