import { readFile } from 'node:fs/promises';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ApprovalStep } from '../../../functions/approvals/domain/approval-step';
import type { ApprovalOutcome } from '../../../functions/approvals/domain/approval-subject';
import type { ImportTask } from '../../../functions/bulk-import/adapters/import-task-repository';
import type {
  GrantStatus,
  StoredGrant,
} from '../../../functions/bulk-import/adapters/pending-grant-repository';
import type { ImportRow } from '../../../functions/bulk-import/domain/import-row';
import type { TaskStatus } from '../../../functions/bulk-import/domain/import-task';
import type { BatchOutcome } from '../../../functions/bulk-import/domain/row-outcome';
import { settleInputSchema } from '../../../functions/bulk-import/handlers/workflow-input';
import {
  type SettleGrantsDeps,
  settleImportGrants,
} from '../../../functions/bulk-import/use-cases/settle-grants';
import type { User } from '../../../functions/identity/domain/user';
import { ConflictError } from '../../../functions/shared/errors';
import type { DomainEvent } from '../../../functions/shared/events/domain-event';

const T0 = new Date('2026-04-10T12:00:00.000Z');
const at = (hours: number) => new Date(T0.getTime() + hours * 3_600_000);
const TASK_ID = 't_01jsettlegrants00000000000';
const uid = (name: string) => `u_${name.padEnd(26, '0')}`;
const ANN = uid('ann');
const BOB = uid('bob');
const CY = uid('cy');
const OPERATOR = uid('op');
const VALID_ROWS_KEY = `acme/${TASK_ID}/valid-rows.jsonl`;
const INPUT = { tenantId: 'acme', taskId: TASK_ID, run: 1, correlationId: 'c-import' };

const row = (number: number, email: string, rolesPendingApproval: string[]): ImportRow => ({
  row: number,
  email,
  groups: [],
  roles: ['member'],
  rolesPendingApproval,
});

const user = (userId: string, email: string): User => ({
  tenantId: 'acme',
  userId,
  email,
  status: 'ACTIVE',
  roles: ['member'],
  groups: [],
  createdAt: '2026-04-01T00:00:00.000Z',
  updatedAt: '2026-04-01T00:00:00.000Z',
  version: 1,
});

/** The task repository's conditional transition, in memory: a task not in `from` is a conflict. */
class FakeTasks implements TasksPort {
  task!: ImportTask;
  outcomes: BatchOutcome[] = [];
  async getTask(_tenantId: string, taskId: string) {
    return this.task.taskId === taskId ? this.task : undefined;
  }
  async listBatchOutcomes() {
    return this.outcomes;
  }
  async transition(
    _tenantId: string,
    _taskId: string,
    from: readonly TaskStatus[],
    to: TaskStatus,
    fields: Partial<ImportTask>,
    now: string,
  ) {
    if (!from.includes(this.task.status)) {
      throw new ConflictError('TASK_STATE_CONFLICT', `The task is ${this.task.status}.`);
    }
    this.task = { ...this.task, ...fields, status: to, updatedAt: now };
    return this.task;
  }
}
type TasksPort = SettleGrantsDeps['tasks'];

/** One grant per (user, role), settled once by one approval, as the repository's condition has it. */
class FakePendingGrants implements PendingGrantsPort {
  readonly grants = new Map<string, StoredGrant & { settledAt?: string }>();
  async get(_tenantId: string, userId: string, role: string) {
    const stored = this.grants.get(`${userId}|${role}`);
    return stored && { status: stored.status, ...(stored.approval ? { approval: stored.approval } : {}) };
  }
  async settle(
    _tenantId: string,
    userId: string,
    role: string,
    status: Exclude<GrantStatus, 'PENDING_APPROVAL'>,
    approval: ApprovalStep,
    now: string,
  ) {
    const stored = this.grants.get(`${userId}|${role}`);
    const settleable =
      stored !== undefined &&
      (stored.status === 'PENDING_APPROVAL' ||
        (stored.status === status && stored.approval?.approvalId === approval.approvalId));
    if (settleable) this.grants.set(`${userId}|${role}`, { status, approval, settledAt: now });
    return settleable;
  }
  statuses() {
    return Object.fromEntries([...this.grants].map(([key, grant]) => [key, grant.status]));
  }
}
type PendingGrantsPort = SettleGrantsDeps['pendingGrants'];

let tasks: FakeTasks;
let pendingGrants: FakePendingGrants;
let objects: Map<string, string>;
let users: Map<string, User>;
let roleWrites: { userId: string; roles: readonly string[]; now: string }[];
let events: DomainEvent[];
let failNextPublish: boolean;
let mails: { to: string; subject: string; text: string }[];
let clock: Date;
let deps: SettleGrantsDeps;

/**
 * A run that created three of its four valid rows (one was invalid in the file): Ann asked for two
 * sensitive roles, Bob for one, Cy for none; Dee's row failed, so her requested role is no grant.
 */
function seed({ allCreated = false } = {}): void {
  const rows = [
    row(2, 'ann@acme.test', ['billing_admin', 'security_admin']),
    row(3, 'bob@acme.test', ['billing_admin']),
    row(4, 'cy@acme.test', []),
    ...(allCreated ? [] : [row(5, 'dee@acme.test', ['billing_admin'])]),
  ];
  objects.set(VALID_ROWS_KEY, rows.map((valid) => JSON.stringify(valid)).join('\n'));
  tasks.outcomes = [
    {
      run: 1,
      batch: 1,
      rows: [
        {
          row: 2,
          email: 'ann@acme.test',
          userId: ANN,
          status: 'CREATED',
          pendingApproval: true,
          notification: 'SENT',
        },
        {
          row: 3,
          email: 'bob@acme.test',
          userId: BOB,
          status: 'CREATED',
          pendingApproval: true,
          notification: 'SKIPPED',
        },
        { row: 4, email: 'cy@acme.test', userId: CY, status: 'CREATED', notification: 'SENT' },
        ...(allCreated
          ? []
          : [
              {
                row: 5,
                email: 'dee@acme.test',
                status: 'FAILED' as const,
                code: 'EMAIL_TAKEN',
                message: 'Taken.',
              },
            ]),
      ],
    },
  ];
  const valid = rows.length;
  tasks.task = {
    tenantId: 'acme',
    taskId: TASK_ID,
    fileId: 'f_1',
    fileName: 'people.xlsx',
    objectKey: 'uploads/people.xlsx',
    status: 'AWAITING_APPROVAL',
    counts: {
      total: valid + 1,
      valid,
      invalid: 1,
      succeeded: 3,
      failed: valid - 3,
      pendingApproval: 2,
      notified: 2,
      grantsApproved: 0,
      grantsRejected: 0,
    },
    createdBy: OPERATOR,
    committedBy: OPERATOR,
    createdAt: at(-2).toISOString(),
    updatedAt: at(-1).toISOString(),
    runStartedAt: at(-1.5).toISOString(),
    run: 1,
    grantsAwaitingApproval: 3,
    artifacts: { validRows: VALID_ROWS_KEY, issues: `acme/${TASK_ID}/issues.jsonl` },
  };
  for (const [userId, role] of [
    [ANN, 'billing_admin'],
    [ANN, 'security_admin'],
    [BOB, 'billing_admin'],
  ] as const) {
    pendingGrants.grants.set(`${userId}|${role}`, { status: 'PENDING_APPROVAL' });
  }
}

beforeEach(() => {
  tasks = new FakeTasks();
  pendingGrants = new FakePendingGrants();
  objects = new Map();
  users = new Map([
    [ANN, user(ANN, 'ann@acme.test')],
    [BOB, user(BOB, 'bob@acme.test')],
    [CY, user(CY, 'cy@acme.test')],
    [OPERATOR, user(OPERATOR, 'op@acme.test')],
  ]);
  roleWrites = [];
  events = [];
  failNextPublish = false;
  mails = [];
  clock = T0;
  deps = {
    tasks,
    reports: {
      readText: async (key) => objects.get(key) ?? '',
      putFile: async (key, path) => {
        objects.set(key, await readFile(path, 'utf8'));
      },
    },
    pendingGrants,
    directory: {
      getUser: async (_tenantId, userId) => users.get(userId),
      addRoles: async (_tenantId, userId, roles, now) => {
        roleWrites.push({ userId, roles, now });
        const found = users.get(userId);
        if (found) users.set(userId, { ...found, roles: [...new Set([...found.roles, ...roles])] });
      },
    },
    publish: async (published) => {
      if (failNextPublish) {
        failNextPublish = false;
        throw new Error('bus unavailable');
      }
      events.push(...published);
    },
    mailer: {
      send: async (mail) => {
        mails.push({ to: mail.to, subject: mail.subject, text: mail.text ?? '' });
      },
    },
    clock: () => clock,
  };
  seed();
});

const approved: ApprovalOutcome = {
  approvalId: 'apr_7',
  decision: 'APPROVED',
  decidedBy: 'u_sec',
  decidedAt: at(-0.5).toISOString(),
  justification: 'Finance onboarding.',
  risk: 'high',
};
const rejected: ApprovalOutcome = { ...approved, decision: 'REJECTED', justification: 'Not for new hires.' };
const expired: ApprovalOutcome = {
  approvalId: 'apr_7',
  decision: 'EXPIRED',
  decidedAt: at(-0.5).toISOString(),
  risk: 'high',
};

/** What SettleGrants receives from the state machine, through the handler's schema. */
const approvedInput = (outcome = approved) => settleInputSchema.parse({ ...INPUT, approval: outcome });
const failedInput = (error: string, outcome: ApprovalOutcome) =>
  settleInputSchema.parse({ ...INPUT, approvalFailure: { Error: error, Cause: JSON.stringify(outcome) } });

const grantEvents = () => events.filter((event) => event.detailType.startsWith('iam.permission.'));
const importedEvents = () => events.filter((event) => event.detailType === 'iam.user.bulk_imported');
const succeededExport = () => objects.get(tasks.task.artifacts.succeededExport ?? '') ?? '';
const grantEventIds = [
  `evt_apr_7_${ANN}_billing_admin`,
  `evt_apr_7_${ANN}_security_admin`,
  `evt_apr_7_${BOB}_billing_admin`,
];

describe('settleImportGrants', () => {
  it('binds each approved role, turns its grant ACTIVE and ends the run with the counts', async () => {
    expect(await settleImportGrants(deps, approvedInput())).toEqual({ status: 'COMPLETED_WITH_ERRORS' });

    expect(roleWrites).toEqual([
      { userId: ANN, roles: ['billing_admin'], now: T0.toISOString() },
      { userId: ANN, roles: ['security_admin'], now: T0.toISOString() },
      { userId: BOB, roles: ['billing_admin'], now: T0.toISOString() },
    ]);
    expect(users.get(ANN)?.roles).toEqual(['member', 'billing_admin', 'security_admin']);
    expect(users.get(CY)?.roles).toEqual(['member']);
    const approval = {
      approvalId: 'apr_7',
      decision: 'APPROVED',
      decidedBy: 'u_sec',
      decidedAt: approved.decidedAt,
      justification: 'Finance onboarding.',
    };
    expect(pendingGrants.grants.get(`${ANN}|billing_admin`)).toEqual({
      status: 'ACTIVE',
      approval,
      settledAt: T0.toISOString(),
    });
    expect(pendingGrants.statuses()).toEqual({
      [`${ANN}|billing_admin`]: 'ACTIVE',
      [`${ANN}|security_admin`]: 'ACTIVE',
      [`${BOB}|billing_admin`]: 'ACTIVE',
    });

    expect(grantEvents().map((event) => [event.detailType, event.detail.eventId])).toEqual(
      grantEventIds.map((id) => ['iam.permission.granted', id]),
    );
    expect(grantEvents()[1]?.detail).toMatchObject({
      correlationId: 'c-import',
      actor: { type: 'user', userId: 'u_sec', tenantId: 'acme' },
      data: {
        targetId: `user:${ANN}`,
        userId: ANN,
        grant: { type: 'role', role: 'security_admin' },
        source: { type: 'bulk_import', taskId: TASK_ID, row: 2 },
        approvalChain: [approval],
        validFrom: approved.decidedAt,
      },
    });

    const counts = {
      total: 5,
      valid: 4,
      invalid: 1,
      succeeded: 3,
      failed: 1,
      pendingApproval: 0,
      notified: 2,
      grantsApproved: 3,
      grantsRejected: 0,
    };
    expect(tasks.task).toMatchObject({
      status: 'COMPLETED_WITH_ERRORS',
      counts,
      grantsAwaitingApproval: 0,
      updatedAt: T0.toISOString(),
      artifacts: {
        validRows: VALID_ROWS_KEY,
        issues: `acme/${TASK_ID}/issues.jsonl`,
        succeededExport: expect.any(String),
        failedExport: expect.any(String),
      },
    });
    expect(importedEvents().map((event) => event.detail)).toEqual([
      expect.objectContaining({
        eventId: `evt_${TASK_ID.slice(2)}_run1_completed_with_errors`,
        actor: { type: 'user', userId: OPERATOR, tenantId: 'acme' },
        // The run lasted from its start until the approval was settled.
        data: { taskId: TASK_ID, run: 1, status: 'COMPLETED_WITH_ERRORS', counts, durationSeconds: 5400 },
      }),
    ]);
    expect(succeededExport().split(/\r?\n/).filter(Boolean)).toEqual([
      '\uFEFFrow,email,user_id,sensitive_roles,welcome_email,note_code,note',
      `2,ann@acme.test,${ANN},approved,SENT,,`,
      `3,bob@acme.test,${BOB},approved,SKIPPED,,`,
      `4,cy@acme.test,${CY},none,SENT,,`,
    ]);
    expect(objects.get(tasks.task.artifacts.failedExport ?? '')).toContain(
      '5,dee@acme.test,EMAIL_TAKEN,Taken.',
    );
    expect(mails).toEqual([
      expect.objectContaining({
        to: 'op@acme.test',
        text: expect.stringContaining('Sensitive role grants: 3 approved, 0 rejected.'),
      }),
    ]);
  });

  it('ends COMPLETED when every valid row was created', async () => {
    seed({ allCreated: true });
    expect(await settleImportGrants(deps, approvedInput())).toEqual({ status: 'COMPLETED' });
    expect(tasks.task.status).toBe('COMPLETED');
    expect(importedEvents()[0]?.detail.eventId).toBe(`evt_${TASK_ID.slice(2)}_run1_completed`);
  });

  it('rejects every grant with the approver and justification of Approval.Rejected, binding no role', async () => {
    expect(await settleImportGrants(deps, failedInput('Approval.Rejected', rejected))).toEqual({
      status: 'COMPLETED_WITH_ERRORS',
    });
    expect(roleWrites).toEqual([]);
    expect(users.get(ANN)?.roles).toEqual(['member']);
    expect(pendingGrants.grants.get(`${BOB}|billing_admin`)?.approval).toEqual({
      approvalId: 'apr_7',
      decision: 'REJECTED',
      decidedBy: 'u_sec',
      decidedAt: rejected.decidedAt,
      justification: 'Not for new hires.',
    });
    expect(Object.values(pendingGrants.statuses())).toEqual(['REJECTED', 'REJECTED', 'REJECTED']);
    expect(
      grantEvents().map((event) => [event.detailType, event.detail.eventId, event.detail.data.reason]),
    ).toEqual(grantEventIds.map((id) => ['iam.permission.rejected', id, 'rejected']));
    expect(grantEvents()[0]?.detail.actor).toEqual({ type: 'user', userId: 'u_sec', tenantId: 'acme' });
    expect(grantEvents()[0]?.detail.data).not.toHaveProperty('validFrom');
    expect(tasks.task.counts).toMatchObject({ grantsApproved: 0, grantsRejected: 3, pendingApproval: 0 });
    expect(succeededExport()).toContain(`2,ann@acme.test,${ANN},rejected,`);
  });

  it('rejects every grant as expired, by the approval sweep, after Approval.Expired', async () => {
    await settleImportGrants(deps, failedInput('Approval.Expired', expired));
    expect(pendingGrants.grants.get(`${ANN}|security_admin`)).toEqual({
      status: 'REJECTED',
      approval: { approvalId: 'apr_7', decision: 'EXPIRED', decidedAt: expired.decidedAt },
      settledAt: T0.toISOString(),
    });
    expect(grantEvents().map((event) => event.detail.data.reason)).toEqual([
      'approval_expired',
      'approval_expired',
      'approval_expired',
    ]);
    expect(grantEvents()[0]?.detail.actor).toEqual({ type: 'system', component: 'approval-sweep' });
    expect(tasks.task.counts).toMatchObject({ grantsApproved: 0, grantsRejected: 3 });
  });

  it('leaves a grant another approval settled as it was, and announces only its own', async () => {
    const other = { approvalId: 'apr_other', decision: 'REJECTED' as const, decidedAt: at(-3).toISOString() };
    pendingGrants.grants.set(`${BOB}|billing_admin`, { status: 'REJECTED', approval: other });
    await settleImportGrants(deps, approvedInput());
    expect(pendingGrants.grants.get(`${BOB}|billing_admin`)).toEqual({ status: 'REJECTED', approval: other });
    expect(roleWrites.map((write) => write.userId)).toEqual([ANN, ANN]);
    expect(grantEvents().map((event) => event.detail.eventId)).toEqual(grantEventIds.slice(0, 2));
    expect(tasks.task.counts).toMatchObject({ grantsApproved: 2, grantsRejected: 1 });
  });

  it('does nothing twice when run again after it finished: only the run is announced again, under the same id', async () => {
    await settleImportGrants(deps, approvedInput());
    const published = events.length;
    const mailed = mails.length;
    const settled = structuredClone([...pendingGrants.grants]);
    clock = at(1);
    expect(await settleImportGrants(deps, approvedInput())).toEqual({ status: 'COMPLETED_WITH_ERRORS' });
    // A retry cannot tell whether its announcement went out: it announces again, consumers dedupe by id.
    expect(events).toHaveLength(published + 1);
    const [first, again] = importedEvents();
    expect(again?.detail).toEqual(first?.detail);
    expect(mails).toHaveLength(mailed);
    expect(roleWrites).toHaveLength(3);
    expect([...pendingGrants.grants]).toEqual(settled);
    expect(tasks.task.updatedAt).toBe(T0.toISOString());
  });

  it('settles again as a no-op and republishes under the same ids when retried after publishing failed', async () => {
    failNextPublish = true;
    await expect(settleImportGrants(deps, approvedInput())).rejects.toThrow(/bus unavailable/);
    expect(tasks.task.status).toBe('AWAITING_APPROVAL');
    expect(Object.values(pendingGrants.statuses())).toEqual(['ACTIVE', 'ACTIVE', 'ACTIVE']);

    expect(await settleImportGrants(deps, approvedInput())).toEqual({ status: 'COMPLETED_WITH_ERRORS' });
    expect(grantEvents().map((event) => event.detail.eventId)).toEqual(grantEventIds);
    expect(users.get(ANN)?.roles).toEqual(['member', 'billing_admin', 'security_admin']);
    expect(tasks.task.counts).toMatchObject({ grantsApproved: 3, grantsRejected: 0 });
    expect(importedEvents()).toHaveLength(1);
  });

  it('announces the run when retried after the final status was written but not announced', async () => {
    let publishes = 0;
    const publish = deps.publish;
    deps = {
      ...deps,
      publish: async (published) => {
        publishes += 1;
        // The grant events go out; the run's announcement fails once.
        if (publishes === 2) throw new Error('bus unavailable');
        await publish(published);
      },
    };
    await expect(settleImportGrants(deps, approvedInput())).rejects.toThrow(/bus unavailable/);
    expect(tasks.task.status).toBe('COMPLETED_WITH_ERRORS');
    await settleImportGrants(deps, approvedInput());
    expect(importedEvents()).toHaveLength(1);
  });

  it('leaves a task alone that no longer waits, or waits for another run', async () => {
    tasks.task = { ...tasks.task, status: 'PROVISIONING' };
    expect(await settleImportGrants(deps, approvedInput())).toEqual({ status: 'PROVISIONING' });
    tasks.task = { ...tasks.task, status: 'AWAITING_APPROVAL', run: 2 };
    expect(await settleImportGrants(deps, approvedInput())).toEqual({ status: 'AWAITING_APPROVAL' });
    expect(roleWrites).toEqual([]);
    expect(events).toEqual([]);
    expect(Object.values(pendingGrants.statuses())).toEqual([
      'PENDING_APPROVAL',
      'PENDING_APPROVAL',
      'PENDING_APPROVAL',
    ]);
  });

  it('refuses a task of another tenant as not found', async () => {
    await expect(settleImportGrants(deps, { ...approvedInput(), taskId: 't_nope' })).rejects.toMatchObject({
      code: 'TASK_NOT_FOUND',
    });
  });
});

describe('settleInputSchema', () => {
  it('takes the outcome from the approval, or from the JSON cause of a caught failure', () => {
    expect(approvedInput().outcome).toEqual(approved);
    expect(failedInput('Approval.Rejected', rejected).outcome).toEqual(rejected);
    expect(failedInput('Approval.Expired', expired).outcome).toEqual(expired);
  });

  it('refuses a cause that is not JSON or not an approval outcome', () => {
    const parse = (Cause: string) =>
      settleInputSchema.parse({ ...INPUT, approvalFailure: { Error: 'Approval.Rejected', Cause } });
    expect(() => parse('approver said no')).toThrow();
    expect(() => parse(JSON.stringify({ ...rejected, decision: 'MAYBE' }))).toThrow(/decision/);
  });
});
