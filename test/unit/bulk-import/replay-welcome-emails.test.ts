import { setImmediate as yieldTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { ImportTask } from '../../../functions/bulk-import/adapters/import-task-repository';
import type { TaskStatus } from '../../../functions/bulk-import/domain/import-task';
import { type BatchOutcome, summarizeBatch } from '../../../functions/bulk-import/domain/row-outcome';
import {
  BATCH_TIME_NEEDED_MS,
  CLAIM_LEASE_MS,
  type ReplayWelcomeEmailsDeps,
  replayWelcomeEmails,
} from '../../../functions/bulk-import/use-cases/replay-welcome-emails';
import type { Caller } from '../../../functions/identity/caller';
import type { ExecutionState } from '../../../functions/shared/aws/workflow-client';
import { ConflictError } from '../../../functions/shared/errors';
import { importTask } from './import-task-fixtures';

const TASK_ID = 't_01jreplay00000000000000000';
const NOW = new Date('2026-11-22T10:00:00.000Z');
const caller = {
  tenantId: 'acme',
  currentUserId: 'u_admin',
  audit: { correlationId: 'corr-replay' },
} as unknown as Caller;

function taskIn(status: TaskStatus, changes: Partial<ImportTask> = {}): ImportTask {
  return importTask({
    taskId: TASK_ID,
    status,
    counts: { total: 6, valid: 6, invalid: 0, succeeded: 5, failed: 1, notified: 1, pendingApproval: 0 },
    run: 2,
    sendWelcome: true,
    ...changes,
  });
}

const created = (row: number, notification?: 'SENT' | 'FAILED' | 'SKIPPED') => ({
  row,
  email: `p${row}@acme.test`,
  userId: `u_${row}`,
  status: 'CREATED' as const,
  ...(notification ? { notification } : {}),
});

/**
 * Run 1: batch 1 (rows 2 SENT, 3 FAILED), batch 2 (row 4 never tried, row 5 failed provisioning);
 * run 2 created row 5, its email SKIPPED while notifications were off, and row 6 FAILED.
 */
function outcomes(): BatchOutcome[] {
  return [
    { run: 1, batch: 1, rows: [created(2, 'SENT'), created(3, 'FAILED')] },
    {
      run: 1,
      batch: 2,
      rows: [created(4), { row: 5, email: 'p5@acme.test', status: 'FAILED', code: 'THROTTLED' }],
    },
    { run: 2, batch: 1, rows: [created(5, 'SKIPPED'), created(6, 'FAILED')] },
  ];
}

/** The task's table as the use-case sees it: batch items with DynamoDB's conditional claim. */
function world(
  options: { task?: ImportTask; failingRecipients?: readonly string[]; execution?: ExecutionState } = {},
) {
  const task = options.task ?? taskIn('COMPLETED_WITH_ERRORS');
  const items = new Map<string, { outcome: BatchOutcome; claim?: { id: string; until: string } }>(
    outcomes().map((outcome) => [`${outcome.run}/${outcome.batch}`, { outcome }]),
  );
  const keyOf = (ref: { run: number; batch: number }) => `${ref.run}/${ref.batch}`;
  const sent: string[] = [];
  let notifiedAdded = 0;
  let claimIds = 0;
  let clock = NOW;
  let timeLeft = 20_000;
  const deps: ReplayWelcomeEmailsDeps = {
    tasks: {
      getTask: async (tenantId, taskId) =>
        tenantId === task.tenantId && taskId === task.taskId ? task : undefined,
      listBatchesWithUnsentEmails: async () =>
        [...items.values()].flatMap(({ outcome }) => {
          const summary = summarizeBatch(outcome);
          const unsent = summary.created - summary.notified;
          return unsent > 0 ? [{ run: outcome.run, batch: outcome.batch, unsent }] : [];
        }),
      claimEmails: async (_tenant, _task, ref, claim, now) => {
        const item = items.get(keyOf(ref));
        if (!item || (item.claim && item.claim.until >= now)) return false;
        item.claim = claim;
        return true;
      },
      releaseEmailClaim: async (_tenant, _task, ref, claimId) => {
        const item = items.get(keyOf(ref));
        if (item?.claim?.id === claimId) delete item.claim;
      },
      addNotified: async (_tenant, _task, count) => {
        notifiedAdded += count;
      },
    },
    notify: {
      tasks: {
        getBatchOutcome: async (_tenant, _task, run, batch) => items.get(keyOf({ run, batch }))?.outcome,
        // A put replaces the whole item, claim included.
        putBatchOutcome: async (_tenant, _task, outcome) => {
          items.set(keyOf(outcome), { outcome });
        },
      },
      reports: { readText: async () => JSON.stringify({ rows: [] }) },
      tokens: {
        issueAll: async (_tenant, userIds) => new Map(userIds.map((userId) => [userId, `token-${userId}`])),
      },
      mailer: {
        send: async ({ to }) => {
          // Sends take turns, so racing replays interleave as they would on a real network.
          await yieldTurn();
          if (options.failingRecipients?.includes(to)) throw new Error('TooManyRequestsException');
          sent.push(to);
        },
      },
      activationUrlBase: 'https://muster.test/activate',
      activationTtlHours: 24,
      clock: () => clock,
    },
    notificationsEnabled: true,
    runExecution: async (taskId, run) =>
      taskId === task.taskId && run === task.run ? options.execution : undefined,
    timeLeftMs: () => timeLeft,
    newClaimId: () => `claim-${++claimIds}`,
    clock: () => clock,
  };
  return {
    deps,
    items,
    sent,
    notifiedAdded: () => notifiedAdded,
    setTimeLeft: (ms: number) => {
      timeLeft = ms;
    },
    advance: (ms: number) => {
      clock = new Date(clock.getTime() + ms);
    },
    notifications: () =>
      [...items.values()].flatMap(({ outcome }) =>
        outcome.rows.map((row) => `${row.row}:${row.status}:${row.notification ?? '-'}`),
      ),
  };
}

describe('replayWelcomeEmails', () => {
  it('sends every created row its missing welcome email once, across batches and runs, and never one already SENT', async () => {
    const replay = world();
    expect(await replayWelcomeEmails(replay.deps, caller, TASK_ID)).toEqual({
      taskId: TASK_ID,
      sent: 4,
      failed: 0,
      remaining: 0,
    });
    expect(replay.sent.toSorted()).toEqual(['p3@acme.test', 'p4@acme.test', 'p5@acme.test', 'p6@acme.test']);
    expect(replay.notifications()).toEqual([
      '2:CREATED:SENT',
      '3:CREATED:SENT',
      '4:CREATED:SENT',
      // A row that failed provisioning in run 1 gets its email from the run that created it.
      '5:FAILED:-',
      '5:CREATED:SENT',
      '6:CREATED:SENT',
    ]);
    expect(replay.notifiedAdded()).toBe(4);
  });

  it('sends nothing the second time', async () => {
    const replay = world();
    await replayWelcomeEmails(replay.deps, caller, TASK_ID);
    expect(await replayWelcomeEmails(replay.deps, caller, TASK_ID)).toMatchObject({ sent: 0, remaining: 0 });
    expect(replay.sent).toHaveLength(4);
  });

  it('of two replays racing, sends each email once: a batch the other holds is reported as remaining', async () => {
    const replay = world();
    const [first, second] = await Promise.all([
      replayWelcomeEmails(replay.deps, caller, TASK_ID),
      replayWelcomeEmails(replay.deps, caller, TASK_ID),
    ]);
    expect(replay.sent.toSorted()).toEqual(['p3@acme.test', 'p4@acme.test', 'p5@acme.test', 'p6@acme.test']);
    expect((first?.sent ?? 0) + (second?.sent ?? 0)).toBe(4);
    expect((first?.remaining ?? 0) + (second?.remaining ?? 0)).toBeGreaterThan(0);
    // Repeated until nothing remains, the losers send nothing more.
    expect(await replayWelcomeEmails(replay.deps, caller, TASK_ID)).toMatchObject({ sent: 0, remaining: 0 });
    expect(replay.sent).toHaveLength(4);
  });

  it('stops starting batches when time runs short and says how many emails remain', async () => {
    const replay = world();
    replay.setTimeLeft(BATCH_TIME_NEEDED_MS - 1);
    expect(await replayWelcomeEmails(replay.deps, caller, TASK_ID)).toMatchObject({ sent: 0, remaining: 4 });
    replay.setTimeLeft(BATCH_TIME_NEEDED_MS);
    expect(await replayWelcomeEmails(replay.deps, caller, TASK_ID)).toMatchObject({ sent: 4, remaining: 0 });
  });

  it('records an email that fails again as FAILED, counted, and leaves the batch free for the next replay', async () => {
    const replay = world({ failingRecipients: ['p4@acme.test'] });
    expect(await replayWelcomeEmails(replay.deps, caller, TASK_ID)).toMatchObject({
      sent: 3,
      failed: 1,
      remaining: 0,
    });
    expect(replay.notifications()).toContain('4:CREATED:FAILED');
    expect([...replay.items.values()].every((item) => item.claim === undefined)).toBe(true);
  });

  it('gives its claim up when a batch cannot be sent, and takes over a claim whose replay was stopped', async () => {
    const replay = world();
    const reading = replay.deps.notify.reports.readText;
    replay.deps.notify.reports.readText = async () => {
      throw new Error('S3 is down');
    };
    await expect(replayWelcomeEmails(replay.deps, caller, TASK_ID)).rejects.toThrow('S3 is down');
    expect([...replay.items.values()].every((item) => item.claim === undefined)).toBe(true);
    replay.deps.notify.reports.readText = reading;

    const stuck = replay.items.get('1/2');
    if (stuck) stuck.claim = { id: 'stopped', until: new Date(NOW.getTime() + CLAIM_LEASE_MS).toISOString() };
    expect(await replayWelcomeEmails(replay.deps, caller, TASK_ID)).toMatchObject({ sent: 3, remaining: 1 });
    replay.advance(CLAIM_LEASE_MS + 1);
    expect(await replayWelcomeEmails(replay.deps, caller, TASK_ID)).toMatchObject({ sent: 1, remaining: 0 });
    expect(replay.sent).toHaveLength(4);
  });

  it.each([
    ['PROVISIONING', {}, 'RUN_IN_PROGRESS'],
    ['VALIDATED', { run: 0 }, 'NOTHING_TO_REPLAY'],
    ['COMPLETED', { sendWelcome: false }, 'WELCOME_NOT_REQUESTED'],
  ] as const)('refuses a task %s %o with 409 %s', async (status, changes, code) => {
    const replay = world({ task: taskIn(status, changes) });
    await expect(replayWelcomeEmails(replay.deps, caller, TASK_ID)).rejects.toMatchObject({
      constructor: ConflictError,
      code,
    });
    expect(replay.sent).toEqual([]);
  });

  it.each([
    [{ status: 'FAILED', error: 'States.TaskFailed', redrivable: true }, 'REDRIVE_FIRST'],
    [{ status: 'TIMED_OUT', redrivable: true }, 'REDRIVE_FIRST'],
    [{ status: 'ABORTED', redrivable: true }, 'REDRIVE_FIRST'],
    [{ status: 'RUNNING', redrivable: false }, 'RUN_IN_PROGRESS'],
  ] as const)(
    'refuses a FAILED task whose execution is %o with 409 %s: its redrive sends the missing emails',
    async (execution, code) => {
      const replay = world({ task: taskIn('FAILED'), execution });
      await expect(replayWelcomeEmails(replay.deps, caller, TASK_ID)).rejects.toMatchObject({
        constructor: ConflictError,
        code,
      });
      expect(replay.sent).toEqual([]);
    },
  );

  it.each([
    ['ended on its approval', { status: 'FAILED', error: 'GrantSettlementFailed', redrivable: true }],
    ['AWS no longer redrives', { status: 'FAILED', error: 'States.TaskFailed', redrivable: false }],
    ['past the 90 days AWS keeps', undefined],
  ] as const)('replays a FAILED task whose run cannot be resumed (%s)', async (_why, execution) => {
    const replay = world({ task: taskIn('FAILED'), execution });
    expect(await replayWelcomeEmails(replay.deps, caller, TASK_ID)).toMatchObject({ remaining: 0 });
    expect(replay.sent.length).toBeGreaterThan(0);
  });

  it('refuses while transactional email is off', async () => {
    const replay = world();
    await expect(
      replayWelcomeEmails({ ...replay.deps, notificationsEnabled: false }, caller, TASK_ID),
    ).rejects.toMatchObject({ code: 'NOTIFICATIONS_OFF' });
  });

  it('answers 404 TASK_NOT_FOUND for a task of another tenant', async () => {
    const replay = world();
    await expect(
      replayWelcomeEmails(replay.deps, { ...caller, tenantId: 'globex' } as Caller, TASK_ID),
    ).rejects.toMatchObject({ code: 'TASK_NOT_FOUND' });
  });
});
