import { readFile } from 'node:fs/promises';
import { beforeEach, describe, expect, it } from 'vitest';
import { approvalIdFor } from '../../../functions/approvals/domain/approval';
import type { ApprovalStep } from '../../../functions/approvals/domain/approval-step';
import {
  type ApprovalOutcome,
  approvalFailureSchema,
} from '../../../functions/approvals/domain/approval-subject';
import type { ImportTask } from '../../../functions/bulk-import/adapters/import-task-repository';
import type {
  GrantStatus,
  StoredGrant,
} from '../../../functions/bulk-import/adapters/pending-grant-repository';
import type { ImportRow } from '../../../functions/bulk-import/domain/import-row';
import type { TaskStatus } from '../../../functions/bulk-import/domain/import-task';
import type { BatchOutcome } from '../../../functions/bulk-import/domain/row-outcome';
import {
  settleInputSchema,
  WAIT_TIMED_OUT_JUSTIFICATION,
} from '../../../functions/bulk-import/handlers/workflow-input';
import { finalizeImport } from '../../../functions/bulk-import/use-cases/finalize-import';
import { readGrantStates, settleGrants } from '../../../functions/bulk-import/use-cases/import-grants';
import {
  type SettleGrantsDeps,
  settleImportGrants,
} from '../../../functions/bulk-import/use-cases/settle-grants';
import { ConflictError } from '../../../functions/shared/errors';
import type { DomainEvent } from '../../../functions/shared/events/domain-event';

const T0 = new Date('2026-05-04T09:00:00.000Z');
const TASK_ID = 't_01jrecovery000000000000000';
const RUN = { tenantId: 'acme', taskId: TASK_ID, run: 1, correlationId: 'c-run' };
const APPROVAL_ID = approvalIdFor('acme', { type: 'bulk_import', taskId: TASK_ID, run: 1 });
const uid = (name: string) => `u_${name.padEnd(26, '0')}`;
const ANN = uid('ann');
const BOB = uid('bob');
const OPERATOR = uid('op');
const VALID_ROWS_KEY = `acme/${TASK_ID}/valid-rows.jsonl`;

/** Every write the settlement and the failed-run path make, where a crash can interrupt them. */
const WRITES = ['addRoles', 'settleGrant', 'publishGrants', 'transition', 'publishRun', 'sendMail'] as const;
type Write = (typeof WRITES)[number];

const row = (number: number, email: string, rolesPendingApproval: string[]): ImportRow => ({
  row: number,
  email,
  groups: [],
  roles: ['member'],
  rolesPendingApproval,
});

/**
 * The ports in memory, with one crash to inject: the first call of `crashAt` throws, as a Lambda
 * timing out or a throttled call would, before its write takes effect.
 */
class World {
  task!: ImportTask;
  readonly outcomes: BatchOutcome[] = [];
  readonly grants = new Map<string, StoredGrant>();
  readonly objects = new Map<string, string>();
  readonly roleWrites: string[] = [];
  readonly events: DomainEvent[] = [];
  readonly mails: string[] = [];
  readonly metrics: number[] = [];
  crashAt: Write | undefined;
  /** Writes that fail every time for one user, as a settlement stuck past its retries would. */
  readonly failingFor = new Map<Write, string>();
  clock = T0;

  private crashOnce(write: Write) {
    if (this.crashAt !== write) return;
    this.crashAt = undefined;
    throw new Error(`crash at ${write}`);
  }

  private failFor(write: Write, userId: string) {
    if (this.failingFor.get(write) === userId) throw new Error(`${write} keeps failing`);
  }

  readonly deps: SettleGrantsDeps & { recordMetrics: (counts: unknown, seconds: number) => void } = {
    tasks: {
      getTask: async (_tenantId, taskId) => (this.task.taskId === taskId ? this.task : undefined),
      listBatchOutcomes: async () => this.outcomes,
      transition: async (
        _tenantId,
        _taskId,
        from: readonly TaskStatus[],
        to: TaskStatus,
        fields,
        now,
        remove,
      ) => {
        this.crashOnce('transition');
        if (!from.includes(this.task.status)) throw new ConflictError('TASK_STATE_CONFLICT', 'conflict');
        const kept = Object.fromEntries(
          Object.entries(this.task).filter(([field]) => !(remove ?? []).some((gone) => gone === field)),
        );
        this.task = { ...(kept as ImportTask), ...fields, status: to, updatedAt: now };
        return this.task;
      },
    },
    reports: {
      readText: async (key) => this.objects.get(key) ?? '',
      putFile: async (key, path) => {
        this.objects.set(key, await readFile(path, 'utf8'));
      },
    },
    pendingGrants: {
      get: async (_tenantId, userId, role) => this.grants.get(`${userId}|${role}`),
      settle: async (
        _tenantId,
        userId,
        role,
        status: Exclude<GrantStatus, 'PENDING_APPROVAL'>,
        approval,
        now,
      ) => {
        this.crashOnce('settleGrant');
        this.failFor('settleGrant', userId);
        // As the table's conditional write: only a pending grant is settled.
        const settleable = this.grants.get(`${userId}|${role}`)?.status === 'PENDING_APPROVAL';
        if (settleable) this.grants.set(`${userId}|${role}`, { status, approval, settledAt: now });
        return settleable;
      },
    },
    directory: {
      getUser: async (tenantId, userId) => ({
        tenantId,
        userId,
        email: 'op@acme.test',
        status: 'ACTIVE',
        roles: [
          'member',
          ...this.roleWrites
            .filter((write) => write.startsWith(`${userId}|`))
            .map((write) => write.split('|')[1] ?? ''),
        ],
        groups: [],
        createdAt: T0.toISOString(),
        updatedAt: T0.toISOString(),
        version: 1,
      }),
      addRoles: async (_tenantId, userId, roles) => {
        this.crashOnce('addRoles');
        this.failFor('addRoles', userId);
        this.roleWrites.push(...roles.map((role) => `${userId}|${role}`));
      },
    },
    publish: async (published) => {
      const announcesRun = published.some((event) => event.detailType === 'iam.user.bulk_imported');
      this.crashOnce(announcesRun ? 'publishRun' : 'publishGrants');
      this.events.push(...published);
    },
    mailer: {
      send: async (mail) => {
        this.crashOnce('sendMail');
        this.mails.push(mail.subject);
      },
    },
    recordMetrics: (_counts, seconds) => {
      this.metrics.push(seconds);
    },
    clock: () => this.clock,
  };

  grantEvents() {
    return this.events.filter((event) => event.detailType.startsWith('iam.permission.'));
  }
  runEvents() {
    return this.events.filter((event) => event.detailType === 'iam.user.bulk_imported');
  }
  grantOf(userId: string, role: string) {
    return this.grants.get(`${userId}|${role}`);
  }
}

/** Ann asked for two sensitive roles and Bob for one; both rows were created and wait for approval. */
function waitingRun(): World {
  const world = new World();
  world.objects.set(
    VALID_ROWS_KEY,
    [row(2, 'ann@acme.test', ['billing_admin', 'security_admin']), row(3, 'bob@acme.test', ['billing_admin'])]
      .map((valid) => JSON.stringify(valid))
      .join('\n'),
  );
  world.outcomes.push({
    run: 1,
    batch: 1,
    rows: [
      { row: 2, email: 'ann@acme.test', userId: ANN, status: 'CREATED', pendingApproval: true },
      { row: 3, email: 'bob@acme.test', userId: BOB, status: 'CREATED', pendingApproval: true },
    ],
  });
  world.task = {
    tenantId: 'acme',
    taskId: TASK_ID,
    fileId: 'f_1',
    fileName: 'people.csv',
    objectKey: 'uploads/people.csv',
    status: 'AWAITING_APPROVAL',
    counts: { total: 2, valid: 2, invalid: 0, succeeded: 2, failed: 0, pendingApproval: 2, notified: 0 },
    createdBy: OPERATOR,
    committedBy: OPERATOR,
    createdAt: '2026-05-01T08:00:00.000Z',
    updatedAt: '2026-05-01T09:00:00.000Z',
    runStartedAt: '2026-05-01T08:30:00.000Z',
    run: 1,
    grantsAwaitingApproval: 3,
    artifacts: { validRows: VALID_ROWS_KEY },
  };
  for (const key of [`${ANN}|billing_admin`, `${ANN}|security_admin`, `${BOB}|billing_admin`]) {
    world.grants.set(key, { status: 'PENDING_APPROVAL' });
  }
  return world;
}

const approved: ApprovalOutcome = {
  approvalId: APPROVAL_ID,
  decision: 'APPROVED',
  decidedBy: 'u_sec',
  decidedAt: '2026-05-02T10:00:00.000Z',
  justification: 'Finance onboarding.',
  risk: 'high',
};

const timedOut = () =>
  settleInputSchema.parse({ ...RUN, approvalFailure: { Error: 'States.Timeout', Cause: 'Timed out' } });

const waitFailed = {
  ...RUN,
  outcome: 'FAILED' as const,
  error: { Error: 'Lambda.Unknown', Cause: 'The approvals could not be reached.' },
};

describe('the settle input: what the callback task ended with', () => {
  it('maps the callback timeout to an expiry of the run’s approval, with no decider and no decision time', () => {
    expect(timedOut()).toEqual({
      ...RUN,
      outcome: { approvalId: APPROVAL_ID, decision: 'EXPIRED', justification: WAIT_TIMED_OUT_JUSTIFICATION },
    });
  });

  it('reads a caught rejection’s outcome from its Cause', () => {
    const rejected = { ...approved, decision: 'REJECTED' };
    const input = settleInputSchema.parse({
      ...RUN,
      approvalFailure: { Error: 'Approval.Rejected', Cause: JSON.stringify(rejected) },
    });
    expect(input.outcome).toEqual(rejected);
  });

  it.each([
    ['a Cause that is not JSON', { Error: 'Approval.Rejected', Cause: '{not json' }, /Cause is not JSON/],
    ['a Cause that is no outcome', { Error: 'Approval.Expired', Cause: '{"approvalId":1}' }, /approvalId/],
    ['an error no approval raises', { Error: 'States.TaskFailed', Cause: JSON.stringify(approved) }, /Error/],
  ])('refuses %s as a parse issue, never a SyntaxError', (_case, approvalFailure, message) => {
    const parsed = settleInputSchema.safeParse({ ...RUN, approvalFailure });
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toMatch(message);
  });

  it('has one shared schema of a caught approval failure, naming what is wrong with a Cause', () => {
    expect(
      approvalFailureSchema.parse({ Error: 'Approval.Expired', Cause: JSON.stringify(approved) }),
    ).toEqual(approved);
    const notJson = approvalFailureSchema.safeParse({ Error: 'Approval.Expired', Cause: 'oops' });
    expect(notJson.error?.issues).toEqual([
      expect.objectContaining({ path: ['Cause'], message: expect.stringMatching(/Cause is not JSON/) }),
    ]);
  });
});

describe('settling after the callback timed out', () => {
  let world: World;
  beforeEach(() => {
    world = waitingRun();
  });

  it('rejects every grant as expired, at the settlement’s time, by the import itself, and ends the run', async () => {
    expect(await settleImportGrants(world.deps, timedOut())).toEqual({ status: 'COMPLETED' });
    const expiry = {
      approvalId: APPROVAL_ID,
      decision: 'EXPIRED',
      decidedAt: T0.toISOString(),
      justification: WAIT_TIMED_OUT_JUSTIFICATION,
    };
    const settled = { status: 'REJECTED', approval: expiry, settledAt: T0.toISOString() };
    expect(world.grantOf(ANN, 'billing_admin')).toEqual(settled);
    expect(world.grantOf(BOB, 'billing_admin')).toEqual(settled);
    expect(world.roleWrites).toEqual([]);
    expect(world.grantEvents().map((event) => [event.detailType, event.detail.data.reason])).toEqual([
      ['iam.permission.rejected', 'approval_expired'],
      ['iam.permission.rejected', 'approval_expired'],
      ['iam.permission.rejected', 'approval_expired'],
    ]);
    expect(world.grantEvents()[0]?.detail.actor).toEqual({ type: 'system', component: 'bulk-import' });
    expect(world.task).toMatchObject({ status: 'COMPLETED', grantsAwaitingApproval: 0 });
    expect(world.task.counts).toMatchObject({ pendingApproval: 0, grantsApproved: 0, grantsRejected: 3 });
    expect(world.runEvents()).toHaveLength(1);
    expect(world.mails).toHaveLength(1);
  });
});

/** What must hold however often a step was retried: each grant settled once, the run announced. */
function expectSettledOnce(world: World, status: string, grantEventIds: readonly string[]) {
  expect(world.task.status).toBe(status);
  expect(world.task.grantsAwaitingApproval).toBe(0);
  expect(new Set(world.grantEvents().map((event) => event.detail.eventId))).toEqual(new Set(grantEventIds));
  const announced = world.runEvents();
  expect(announced.length).toBeGreaterThanOrEqual(1);
  // Announced again, it is the same event: consumers drop it by its id.
  expect(new Set(announced.map((event) => JSON.stringify(event))).size).toBe(1);
  expect(announced[0]?.detail).toMatchObject({
    eventId: `evt_${TASK_ID.slice(2)}_run1_${status.toLowerCase()}`,
    data: { status, counts: world.task.counts },
  });
  expect(world.mails.length).toBeLessThanOrEqual(1);
}

const grantIds = (approvalId: string) => [
  `evt_${approvalId}_${ANN}_billing_admin`,
  `evt_${approvalId}_${ANN}_security_admin`,
  `evt_${approvalId}_${BOB}_billing_admin`,
];

describe('a settlement retried after a crash', () => {
  it.each(WRITES)('at %s still settles every grant once and announces the run', async (write) => {
    const world = waitingRun();
    world.crashAt = write;
    const input = { ...RUN, outcome: approved };
    await expect(settleImportGrants(world.deps, input)).rejects.toThrow(`crash at ${write}`);
    world.clock = new Date(T0.getTime() + 60_000);
    expect(await settleImportGrants(world.deps, input)).toEqual({ status: 'COMPLETED' });

    expectSettledOnce(world, 'COMPLETED', grantIds(APPROVAL_ID));
    expect(new Set(world.roleWrites)).toEqual(
      new Set([`${ANN}|billing_admin`, `${ANN}|security_admin`, `${BOB}|billing_admin`]),
    );
    expect(world.task.counts).toMatchObject({ grantsApproved: 3, grantsRejected: 0 });
    // The summary goes out once the final status is written; a retry after that sends no second
    // one, so a crash while sending it leaves the run without (at most once).
    expect(world.mails).toHaveLength(write === 'sendMail' ? 0 : 1);
  });

  it('after it finished announces the same event again and changes nothing else', async () => {
    const world = waitingRun();
    await settleImportGrants(world.deps, { ...RUN, outcome: approved });
    const task = world.task;
    world.clock = new Date(T0.getTime() + 3_600_000);
    expect(await settleImportGrants(world.deps, { ...RUN, outcome: approved })).toEqual({
      status: 'COMPLETED',
    });
    expect(world.task).toBe(task);
    expect(world.runEvents()).toHaveLength(2);
    expect(world.runEvents()[1]).toEqual(world.runEvents()[0]);
    expect(world.grantEvents()).toHaveLength(3);
    expect(world.mails).toHaveLength(1);
  });
});

describe('a retried settlement republishes what it stored', () => {
  it.each([
    ['a timeout, settled at the time it was first written', () => timedOut(), T0.toISOString()],
    ['an approval', () => ({ ...RUN, outcome: approved }), approved.decidedAt],
  ])(
    'after %s: the grants are not written again, their events are the same',
    async (_case, input, decidedAt) => {
      const world = waitingRun();
      world.crashAt = 'transition';
      await expect(settleImportGrants(world.deps, input())).rejects.toThrow('crash at transition');
      const stored = [...world.grants.values()];
      const firstEvents = world.grantEvents();
      expect(firstEvents).toHaveLength(3);

      world.clock = new Date(T0.getTime() + 60_000);
      await settleImportGrants(world.deps, input());
      expect([...world.grants.values()]).toEqual(stored);
      expect(world.grantEvents()).toEqual([...firstEvents, ...firstEvents]);
      expect(world.grantOf(ANN, 'billing_admin')?.approval?.decidedAt).toBe(decidedAt);
    },
  );
});

/** The settlement of an approved run stopped for good, and the workflow's MarkSettlementFailed ran. */
async function approvedButStuck(world: World, stuckAt: 'addRoles' | 'settleGrant') {
  world.failingFor.set(stuckAt, BOB);
  await expect(settleImportGrants(world.deps, { ...RUN, outcome: approved })).rejects.toThrow(
    `${stuckAt} keeps failing`,
  );
  world.failingFor.clear();
  world.clock = new Date(T0.getTime() + 60_000);
  return finalizeImport(world.deps, {
    ...RUN,
    outcome: 'FAILED',
    error: { Error: 'States.TaskFailed', Cause: 'The table throttled the settlement.' },
    approval: approved,
  });
}

describe('an approved run whose settlement failed past its retries', () => {
  const grantedIds = (world: World) =>
    world.grantEvents().map((event) => [event.detailType, event.detail.eventId]);

  it('turns a grant whose role is already bound ACTIVE, rejects nothing, and ends COMPLETED_WITH_ERRORS with the reason', async () => {
    const world = waitingRun();
    expect(await approvedButStuck(world, 'settleGrant')).toEqual({ status: 'COMPLETED_WITH_ERRORS' });

    expect(world.roleWrites).toContain(`${BOB}|billing_admin`);
    expect(world.grantOf(BOB, 'billing_admin')?.approval).toEqual({
      approvalId: APPROVAL_ID,
      decision: 'APPROVED',
      decidedBy: 'u_sec',
      decidedAt: approved.decidedAt,
      justification: approved.justification,
    });
    expect(world.grantEvents().map((event) => event.detailType)).not.toContain('iam.permission.rejected');
    expect(new Set(grantedIds(world))).toEqual(
      new Set(grantIds(APPROVAL_ID).map((id) => ['iam.permission.granted', id])),
    );
    expect(world.grantEvents().at(-1)?.detail.actor).toEqual({
      type: 'user',
      userId: 'u_sec',
      tenantId: 'acme',
    });
    expect(world.task).toMatchObject({
      status: 'COMPLETED_WITH_ERRORS',
      failureReason: 'States.TaskFailed: The table throttled the settlement.',
      grantsAwaitingApproval: 0,
    });
    expect(world.task.counts).toMatchObject({ grantsApproved: 3, grantsRejected: 0, pendingApproval: 0 });
    expect(world.runEvents().map((event) => event.detail.data.status)).toEqual(['COMPLETED_WITH_ERRORS']);
    expect(world.mails).toEqual([`Import ${TASK_ID}: completed with errors`]);
  });

  it('leaves a grant whose role was not bound pending, and a redrive settles it under the same approval', async () => {
    const world = waitingRun();
    expect(await approvedButStuck(world, 'addRoles')).toEqual({ status: 'COMPLETED_WITH_ERRORS' });
    expect(world.grantOf(BOB, 'billing_admin')).toEqual({ status: 'PENDING_APPROVAL' });
    expect(world.grantOf(ANN, 'security_admin')?.status).toBe('ACTIVE');
    expect(world.task).toMatchObject({ grantsAwaitingApproval: 1, failureReason: expect.any(String) });
    expect(world.task.counts).toMatchObject({ grantsApproved: 2, grantsRejected: 0, pendingApproval: 1 });
    const annEvents = world.grantEvents();

    // Redriven: Finalize waits again, the decided approval resumes it at once, the settlement ends the run.
    world.clock = new Date(T0.getTime() + 3_600_000);
    expect(await finalizeImport(world.deps, { ...RUN, outcome: 'FINISHED' })).toEqual({
      status: 'AWAITING_APPROVAL',
    });
    expect(world.task.failureReason).toBeUndefined();
    expect(await settleImportGrants(world.deps, { ...RUN, outcome: approved })).toEqual({
      status: 'COMPLETED',
    });
    expect(world.grantOf(BOB, 'billing_admin')?.status).toBe('ACTIVE');
    expect(world.roleWrites).toContain(`${BOB}|billing_admin`);
    expect(world.task.counts).toMatchObject({ grantsApproved: 3, pendingApproval: 0 });
    // Ann's grants are announced again as they were.
    expect(
      world
        .grantEvents()
        .slice(annEvents.length)
        .filter((event) => event.detail.data.userId === ANN),
    ).toEqual(annEvents);
  });

  it('ends FAILED with the reason when no grant could be bound, all of them still pending', async () => {
    const world = waitingRun();
    world.failingFor.set('addRoles', ANN);
    world.crashAt = 'addRoles';
    await expect(settleImportGrants(world.deps, { ...RUN, outcome: approved })).rejects.toThrow();
    world.grants.forEach((_, key) => {
      world.grants.set(key, { status: 'PENDING_APPROVAL' });
    });
    world.roleWrites.length = 0;
    world.failingFor.clear();
    const result = await finalizeImport(world.deps, {
      ...RUN,
      outcome: 'FAILED',
      error: { Error: 'States.TaskFailed', Cause: 'Down.' },
      approval: approved,
    });
    expect(result).toEqual({ status: 'FAILED' });
    expect([...world.grants.values()].map((grant) => grant.status)).toEqual([
      'PENDING_APPROVAL',
      'PENDING_APPROVAL',
      'PENDING_APPROVAL',
    ]);
    expect(world.task).toMatchObject({
      status: 'FAILED',
      failureReason: 'States.TaskFailed: Down.',
      grantsAwaitingApproval: 3,
    });
  });
});

describe('a Finalize retried after it ended the run FAILED on its own counts', () => {
  /** Every created row failed: Finalize itself ends the run FAILED, with no failure reason. */
  function nothingCreated(): World {
    const world = waitingRun();
    world.outcomes.splice(0, 1, {
      run: 1,
      batch: 1,
      rows: [
        { row: 2, email: 'ann@acme.test', status: 'FAILED', code: 'DIRECTORY_ERROR', message: 'x' },
        { row: 3, email: 'bob@acme.test', status: 'FAILED', code: 'DIRECTORY_ERROR', message: 'x' },
      ],
    });
    world.task = { ...world.task, status: 'PROVISIONING' };
    return world;
  }

  it('announces it again only: one summary, one metric, the run’s start kept', async () => {
    const world = nothingCreated();
    world.crashAt = 'publishRun';
    await expect(finalizeImport(world.deps, { ...RUN, outcome: 'FINISHED' })).rejects.toThrow();
    const failed = world.task;
    expect(failed).toMatchObject({ status: 'FAILED', runStartedAt: '2026-05-01T09:00:00.000Z' });
    expect(failed.failureReason).toBeUndefined();

    world.clock = new Date(T0.getTime() + 60_000);
    expect(await finalizeImport(world.deps, { ...RUN, outcome: 'FINISHED' })).toEqual({ status: 'FAILED' });
    expect(world.task).toBe(failed);
    expect(world.mails).toHaveLength(1);
    expect(world.metrics).toHaveLength(1);
    expect(world.runEvents()).toHaveLength(1);
  });

  it('still finalizes again a run the workflow marked FAILED (a redrive), and drops the stale reason', async () => {
    const world = nothingCreated();
    await finalizeImport(world.deps, {
      ...RUN,
      outcome: 'FAILED',
      error: { Error: 'States.Runtime', Cause: 'x' },
    });
    expect(world.task.failureReason).toBe('States.Runtime: x');
    world.outcomes.push({
      run: 1,
      batch: 2,
      rows: [
        { row: 2, email: 'ann@acme.test', userId: ANN, status: 'CREATED' },
        { row: 3, email: 'bob@acme.test', userId: BOB, status: 'CREATED' },
      ],
    });
    // Its rows now created, the run waits for the approval of their grants.
    expect(await finalizeImport(world.deps, { ...RUN, outcome: 'FINISHED' })).toEqual({
      status: 'AWAITING_APPROVAL',
    });
    expect(world.task.failureReason).toBeUndefined();
    expect(world.task.counts).toMatchObject({ succeeded: 2, failed: 0 });
  });
});

describe('a run whose approval wait failed (finalize FAILED from AWAITING_APPROVAL)', () => {
  let world: World;
  beforeEach(() => {
    world = waitingRun();
  });

  it('ends FAILED with the reason and rejects the grants still pending, under the run’s approval with no decider', async () => {
    expect(await finalizeImport(world.deps, waitFailed)).toEqual({ status: 'FAILED' });
    expect(world.task).toMatchObject({
      status: 'FAILED',
      failureReason: 'Lambda.Unknown: The approvals could not be reached.',
      grantsAwaitingApproval: 0,
      runStartedAt: '2026-05-01T08:30:00.000Z',
    });
    expect(world.grantOf(BOB, 'billing_admin')).toEqual({
      status: 'REJECTED',
      approval: {
        approvalId: APPROVAL_ID,
        decision: 'REJECTED',
        decidedAt: T0.toISOString(),
        justification: expect.stringContaining('The approvals could not be reached.'),
      },
      settledAt: T0.toISOString(),
    });
    expect(world.grantEvents().map((event) => [event.detail.eventId, event.detail.data.reason])).toEqual(
      grantIds(APPROVAL_ID).map((id) => [id, 'rejected']),
    );
    expect(world.grantEvents()[0]?.detail.actor).toEqual({ type: 'system', component: 'bulk-import' });
    expect(world.runEvents().map((event) => event.detail.data.status)).toEqual(['FAILED']);
    expect(world.mails).toEqual([`Import ${TASK_ID}: failed`]);
    // The run's metrics were recorded when it began to wait.
    expect(world.metrics).toEqual([]);
  });

  it('leaves the grants an approval settled before as they were', async () => {
    const approval: ApprovalStep = { ...approved };
    const refusal: ApprovalStep = { ...approved, decision: 'REJECTED', justification: 'Not Bob.' };
    world.grants.set(`${ANN}|billing_admin`, { status: 'ACTIVE', approval });
    world.grants.set(`${BOB}|billing_admin`, { status: 'REJECTED', approval: refusal });
    await finalizeImport(world.deps, waitFailed);
    expect(world.grantOf(ANN, 'billing_admin')).toEqual({ status: 'ACTIVE', approval });
    expect(world.grantOf(BOB, 'billing_admin')).toEqual({ status: 'REJECTED', approval: refusal });
    expect(world.grantOf(ANN, 'security_admin')?.status).toBe('REJECTED');
    expect(world.grantEvents().map((event) => event.detail.eventId)).toEqual([grantIds(APPROVAL_ID)[1]]);
    expect(world.task.counts).toMatchObject({ grantsApproved: 1, grantsRejected: 2, pendingApproval: 0 });
  });

  it.each(WRITES.filter((write) => write !== 'addRoles'))(
    'retried after a crash at %s still rejects every grant once and announces the run',
    async (write) => {
      world.crashAt = write;
      await expect(finalizeImport(world.deps, waitFailed)).rejects.toThrow(`crash at ${write}`);
      world.clock = new Date(T0.getTime() + 60_000);
      expect(await finalizeImport(world.deps, waitFailed)).toEqual({ status: 'FAILED' });
      expectSettledOnce(world, 'FAILED', grantIds(APPROVAL_ID));
      expect(world.task.counts).toMatchObject({ grantsRejected: 3 });
      expect(world.mails).toHaveLength(write === 'sendMail' ? 0 : 1);
    },
  );

  it('retried after it finished announces the same event again and changes nothing else', async () => {
    await finalizeImport(world.deps, waitFailed);
    const task = world.task;
    expect(await finalizeImport(world.deps, waitFailed)).toEqual({ status: 'FAILED' });
    expect(world.task).toBe(task);
    expect(world.runEvents()).toHaveLength(2);
    expect(world.runEvents()[1]).toEqual(world.runEvents()[0]);
    expect(world.mails).toHaveLength(1);
  });

  it('leaves a task that still waits alone when the Finalize that paused it is retried', async () => {
    expect(await finalizeImport(world.deps, { ...RUN, outcome: 'FINISHED' })).toEqual({
      status: 'AWAITING_APPROVAL',
    });
    expect(world.events).toEqual([]);
    expect(world.grantOf(ANN, 'billing_admin')?.status).toBe('PENDING_APPROVAL');
  });
});

describe('reading and settling many grants', () => {
  it('works on a few at a time, never all at once and never one by one', async () => {
    const world = waitingRun();
    const grants = Array.from({ length: 40 }, (_, index) => ({
      row: index + 2,
      userId: uid(`g${String(index).padStart(3, '0')}`),
      role: 'r',
    }));
    let inFlight = 0;
    let mostAtOnce = 0;
    const states = await readGrantStates(
      {
        get: async (tenantId, userId, role) => {
          inFlight += 1;
          mostAtOnce = Math.max(mostAtOnce, inFlight);
          await new Promise((resolve) => setImmediate(resolve));
          inFlight -= 1;
          return world.deps.pendingGrants.get(tenantId, userId, role);
        },
      },
      'acme',
      grants,
    );
    expect(states.size).toBe(40);
    expect(mostAtOnce).toBeGreaterThan(1);
    expect(mostAtOnce).toBeLessThanOrEqual(8);
  });

  it('settles a few at a time too, each grant once, its events in row order', async () => {
    const grants = Array.from({ length: 40 }, (_, index) => ({
      row: index + 2,
      userId: uid(`g${String(index).padStart(3, '0')}`),
      role: 'r',
    }));
    let inFlight = 0;
    let mostAtOnce = 0;
    const settled: string[] = [];
    const events = await settleGrants(
      {
        pendingGrants: {
          get: async () => ({ status: 'PENDING_APPROVAL' }),
          settle: async (_tenantId, userId) => {
            inFlight += 1;
            mostAtOnce = Math.max(mostAtOnce, inFlight);
            await new Promise((resolve) => setImmediate(resolve));
            inFlight -= 1;
            settled.push(userId);
            return true;
          },
        },
        directory: { addRoles: async () => {} },
      },
      RUN,
      grants,
      { ...approved },
      { type: 'system', component: 'test' },
      T0,
    );
    expect(new Set(settled).size).toBe(40);
    expect(events.map((event) => event.detail.data.userId)).toEqual(grants.map((grant) => grant.userId));
    expect(mostAtOnce).toBeGreaterThan(1);
    expect(mostAtOnce).toBeLessThanOrEqual(8);
  });
});
