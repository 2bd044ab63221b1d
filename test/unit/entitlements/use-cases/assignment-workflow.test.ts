import { beforeEach, describe, expect, it } from 'vitest';
import type { ApprovalOutcome } from '../../../../functions/approvals/domain/approval-subject';
import type { GrantKey } from '../../../../functions/entitlements/adapters/entitlement-repository';
import {
  type AssignmentStatus,
  type AssignmentTask,
  type BatchAssignRequest,
  EMPTY_ASSIGNMENT_COUNTS,
  type MemberRecord,
  statusesBefore,
} from '../../../../functions/entitlements/domain/assignment-task';
import type { Bundle } from '../../../../functions/entitlements/domain/bundle';
import type { Entitlement } from '../../../../functions/entitlements/domain/entitlement';
import { rejectInputSchema } from '../../../../functions/entitlements/handlers/assignment-input';
import {
  type AssignmentWorkflowDeps,
  activateAssignment,
  entitlementIdOf,
  failAssignment,
  prepareAssignment,
  rejectAssignment,
} from '../../../../functions/entitlements/use-cases/assignment-workflow';
import { notifyAssignment } from '../../../../functions/entitlements/use-cases/notify-assignment';
import type { User } from '../../../../functions/identity/domain/user';
import { AppError } from '../../../../functions/shared/errors';
import type { DomainEvent } from '../../../../functions/shared/events/domain-event';

const HOUR = 3_600_000;
const T0 = new Date('2026-05-04T08:00:00.000Z');
const at = (hours: number) => new Date(T0.getTime() + hours * HOUR);
const ASG = 'asg_01jtestassignment000000000';
/** User ids as the directory mints them: anything else would name a member by email. */
const uid = (name: string) => `u_${name.padEnd(26, '0')}`;
const ANN = uid('ann');
const BOB = uid('bob');
const CY = uid('cy');
const ADMIN = uid('admin');
const RUN = { tenantId: 'acme', assignmentId: ASG, correlationId: 'c-asg' };
const UNTIL = at(20 * 24).toISOString();
const REMINDERS = [168, 24];

const bundle = (bundleId: string, risk: Bundle['risk'], extra: Partial<Bundle> = {}): Bundle => ({
  tenantId: 'acme',
  bundleId,
  name: bundleId,
  description: '',
  roles: [bundleId.replaceAll('-', '_')],
  permissions: [],
  risk,
  incompatibleWith: [],
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  version: 1,
  ...extra,
});

const user = (userId: string, status: User['status'] = 'ACTIVE'): User => ({
  tenantId: 'acme',
  userId,
  email: `${userId.slice(2).replace(/0+$/, '')}@acme.test`,
  status,
  roles: [],
  groups: [],
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  version: 1,
});

type AssignmentsPort = AssignmentWorkflowDeps['assignments'];
type EntitlementsPort = AssignmentWorkflowDeps['entitlements'];

const keyOf = (tenantId: string, grant: GrantKey) =>
  `${tenantId}|${grant.userId}|${grant.scope}|${grant.bundleId}`;

/** The assignment repository's conditions, in memory: a transition wins only from a status allowed before it. */
class FakeAssignments implements AssignmentsPort {
  readonly tasks = new Map<string, AssignmentTask>();
  readonly members = new Map<number, MemberRecord>();
  failNextPutMembers = false;
  failNextTransition = false;
  async get(_tenantId: string, assignmentId: string) {
    return this.tasks.get(assignmentId);
  }
  async transition(
    tenantId: string,
    assignmentId: string,
    to: AssignmentStatus,
    fields: Partial<AssignmentTask>,
    now: string,
  ) {
    if (this.failNextTransition) {
      this.failNextTransition = false;
      throw new Error('table unavailable');
    }
    return this.update(tenantId, assignmentId, statusesBefore(to), { ...fields, status: to }, now);
  }
  async update(
    _tenantId: string,
    assignmentId: string,
    statuses: readonly AssignmentStatus[],
    fields: Partial<AssignmentTask>,
    now: string,
  ) {
    const stored = this.tasks.get(assignmentId);
    if (!stored || !statuses.includes(stored.status)) return undefined;
    const next = { ...stored, ...fields, updatedAt: now };
    this.tasks.set(assignmentId, next);
    return next;
  }
  async putMembers(_tenantId: string, _assignmentId: string, records: readonly MemberRecord[]) {
    if (this.failNextPutMembers) {
      this.failNextPutMembers = false;
      throw new Error('table unavailable');
    }
    for (const record of records) this.members.set(record.index, record);
  }
  async listMembers() {
    return [...this.members.values()].sort((a, b) => a.index - b.index);
  }
  status() {
    return this.tasks.get(ASG)?.status;
  }
  task() {
    return this.tasks.get(ASG) as AssignmentTask;
  }
}

/** One item per (user, scope, bundle), as the entitlement repository keeps them, with each item's timer. */
class FakeEntitlements implements EntitlementsPort {
  readonly items = new Map<string, { entitlement: Entitlement; dueAt?: Date }>();
  async listForUser(tenantId: string, userId: string) {
    return this.all().filter((item) => item.tenantId === tenantId && item.userId === userId);
  }
  async listHolders(tenantId: string, bundleId: string, scope: string) {
    return this.all().filter(
      (item) => item.tenantId === tenantId && item.bundleId === bundleId && item.scope === scope,
    );
  }
  async putAll(
    entitlements: readonly Entitlement[],
    dueAtOf: (entitlement: Entitlement) => Date | undefined = () => undefined,
  ) {
    for (const entitlement of entitlements) {
      const dueAt = dueAtOf(entitlement);
      this.items.set(keyOf(entitlement.tenantId, entitlement), { entitlement, ...(dueAt ? { dueAt } : {}) });
    }
  }
  /** Refused over a grant ACTIVE or PENDING_APPROVAL for something else, as the repository's condition. */
  async putPending(entitlement: Entitlement, assignmentId: string) {
    const current = this.items.get(keyOf(entitlement.tenantId, entitlement))?.entitlement;
    const ours = current?.source.type === 'batch_assign' && current.source.assignmentId === assignmentId;
    if (current && (current.status === 'ACTIVE' || current.status === 'PENDING_APPROVAL') && !ours)
      return false;
    await this.putAll([entitlement]);
    return true;
  }
  async getMany(tenantId: string, grants: readonly GrantKey[]) {
    return grants.flatMap((grant) => {
      const found = this.items.get(keyOf(tenantId, grant));
      return found ? [found.entitlement] : [];
    });
  }
  async settlePending(
    tenantId: string,
    grant: GrantKey,
    assignmentId: string,
    settled: Pick<Entitlement, 'status' | 'approvalChain'>,
    now: string,
  ) {
    const found = this.items.get(keyOf(tenantId, grant));
    const { entitlement } = found ?? {};
    if (
      !found ||
      entitlement?.status !== 'PENDING_APPROVAL' ||
      entitlement.source.type !== 'batch_assign' ||
      entitlement.source.assignmentId !== assignmentId
    )
      return false;
    found.entitlement = { ...entitlement, ...settled, updatedAt: now };
    return true;
  }
  all() {
    return [...this.items.values()].map((item) => item.entitlement);
  }
  of(userId: string, bundleId: string, scope = 'tenant') {
    return this.items.get(keyOf('acme', { userId, bundleId, scope }));
  }
}

let assignments: FakeAssignments;
let entitlements: FakeEntitlements;
let users: Map<string, User>;
let bundles: Bundle[];
let events: DomainEvent[];
let failNextPublish: boolean;
let latencies: number[];
let clock: Date;
let deps: AssignmentWorkflowDeps;

beforeEach(() => {
  assignments = new FakeAssignments();
  entitlements = new FakeEntitlements();
  users = new Map([ANN, BOB, ADMIN].map((id) => [id, user(id)]));
  bundles = [bundle('viewer', 'low'), bundle('prod-admin', 'high', { maxDurationDays: 30 })];
  events = [];
  failNextPublish = false;
  latencies = [];
  clock = T0;
  deps = {
    assignments,
    entitlements,
    directory: {
      getUser: async (_tenantId, userId) => users.get(userId),
      findUserIdByEmail: async (_tenantId, email) =>
        [...users.values()].find((found) => found.email === email)?.userId,
      listAllUsers: async () => [...users.values()],
    },
    bundles: { list: async () => bundles },
    publish: async (published) => {
      if (failNextPublish) {
        failNextPublish = false;
        throw new Error('bus unavailable');
      }
      events.push(...published);
    },
    clock: () => clock,
  };
});

/** Stores a task as POST batch-assign would have: QUEUED, accepted an hour before T0. */
function queue(request: Partial<BatchAssignRequest>, status: AssignmentStatus = 'QUEUED'): void {
  assignments.tasks.set(ASG, {
    tenantId: 'acme',
    assignmentId: ASG,
    status,
    request: {
      scope: 'tenant',
      members: [ANN, BOB],
      bundles: ['viewer'],
      justification: '',
      approval: 'auto',
      ...request,
    },
    requestedBy: ADMIN,
    correlationId: 'c-asg',
    acceptedAt: at(-1).toISOString(),
    findings: [],
    approvalChain: [],
    counts: EMPTY_ASSIGNMENT_COUNTS,
    createdAt: at(-1).toISOString(),
    updatedAt: at(-1).toISOString(),
  });
}

const highRisk = { bundles: ['prod-admin'], validUntil: UNTIL, justification: 'Incident 42 on-call' };
const prepare = () =>
  prepareAssignment({ ...deps, recordQueueLatency: (seconds) => latencies.push(seconds) }, RUN);
const activate = (approval?: ApprovalOutcome) =>
  activateAssignment({ ...deps, reminderHours: REMINDERS }, { ...RUN, ...(approval ? { approval } : {}) });
const idOf = (userId: string, bundleId: string) => entitlementIdOf(ASG, userId, 'tenant', bundleId);
const outcomes = () =>
  [...assignments.members.values()].flatMap((record) =>
    record.bundles.map((found) => [record.member, found.bundleId, found.outcome]),
  );
const eventIds = () => events.map((event) => event.detail.eventId);

const approved: ApprovalOutcome = {
  approvalId: 'apr_1',
  decision: 'APPROVED',
  decidedBy: 'u_sec',
  decidedAt: at(2).toISOString(),
  justification: 'On-call rotation confirmed.',
  risk: 'high',
};
const rejected: ApprovalOutcome = { ...approved, decision: 'REJECTED', justification: 'Use break-glass.' };
const expired: ApprovalOutcome = {
  approvalId: 'apr_1',
  decision: 'EXPIRED',
  decidedAt: at(72).toISOString(),
  risk: 'high',
};

describe('entitlementIdOf', () => {
  it('gives the same grant of the same assignment the same id, and any other grant another', () => {
    const id = entitlementIdOf(ASG, ANN, 'tenant', 'viewer');
    expect(id).toMatch(/^ent_[0-9a-f]{26}$/);
    expect(entitlementIdOf(ASG, ANN, 'tenant', 'viewer')).toBe(id);
    const others = [
      entitlementIdOf('asg_other', ANN, 'tenant', 'viewer'),
      entitlementIdOf(ASG, BOB, 'tenant', 'viewer'),
      entitlementIdOf(ASG, ANN, 'project:atlas', 'viewer'),
      entitlementIdOf(ASG, ANN, 'tenant', 'prod-admin'),
    ];
    expect(new Set([id, ...others]).size).toBe(5);
  });
});

describe('prepareAssignment', () => {
  it('plans a low-risk request for activation without an approval, writing no grant yet', async () => {
    queue({});
    expect(await prepare()).toEqual({ next: 'ACTIVATE' });
    expect(assignments.task()).toMatchObject({
      status: 'ACTIVATING',
      risk: 'low',
      approverRole: 'tenant_admin',
      requiresApproval: false,
      findings: [],
      counts: { members: 2, grants: 2, planned: 2, granted: 0, merged: 0 },
      updatedAt: T0.toISOString(),
    });
    expect(outcomes()).toEqual([
      [ANN, 'viewer', 'planned'],
      [BOB, 'viewer', 'planned'],
    ]);
    expect(entitlements.items.size).toBe(0);
    expect(events).toEqual([]);
    expect(latencies).toEqual([3600]);
  });

  it('merges a bundle a member already holds and plans only the rest', async () => {
    queue({});
    await entitlements.putAll([
      {
        tenantId: 'acme',
        entitlementId: 'ent_direct',
        userId: BOB,
        bundleId: 'viewer',
        scope: 'tenant',
        risk: 'low',
        validFrom: at(-48).toISOString(),
        source: { type: 'direct' },
        status: 'ACTIVE',
        approvalChain: [],
        grantedBy: ADMIN,
        createdAt: at(-48).toISOString(),
        updatedAt: at(-48).toISOString(),
      },
    ]);
    expect(await prepare()).toEqual({ next: 'ACTIVATE' });
    expect(outcomes()).toEqual([
      [ANN, 'viewer', 'planned'],
      [BOB, 'viewer', 'merged'],
    ]);
    expect(assignments.members.get(1)?.bundles[0]?.reason).toMatch(/already holds/);
    expect(assignments.task().counts).toMatchObject({ planned: 1, merged: 1, grants: 1 });
  });

  it('writes high-risk grants PENDING_APPROVAL with stable ids and announces each, then waits', async () => {
    queue(highRisk);
    expect(await prepare()).toEqual({ next: 'APPROVAL' });
    expect(assignments.task()).toMatchObject({
      status: 'AWAITING_APPROVAL',
      risk: 'high',
      approverRole: 'security_approver',
      requiresApproval: true,
      counts: { planned: 2 },
    });
    for (const userId of [ANN, BOB]) {
      // The grants' risk is asserted by the it.fails test below.
      const { risk: _risk, ...pending } = entitlements.of(userId, 'prod-admin')?.entitlement ?? {};
      expect(pending).toEqual({
        tenantId: 'acme',
        entitlementId: idOf(userId, 'prod-admin'),
        userId,
        bundleId: 'prod-admin',
        scope: 'tenant',
        validFrom: T0.toISOString(),
        validUntil: UNTIL,
        source: { type: 'batch_assign', assignmentId: ASG },
        status: 'PENDING_APPROVAL',
        approvalChain: [],
        grantedBy: ADMIN,
        createdAt: T0.toISOString(),
        updatedAt: T0.toISOString(),
      });
    }
    // A pending grant grants nothing, so it has no expiry timer.
    expect(entitlements.of(ANN, 'prod-admin')?.dueAt).toBeUndefined();
    expect(assignments.members.get(0)?.bundles).toEqual([
      { bundleId: 'prod-admin', outcome: 'planned', entitlementId: idOf(ANN, 'prod-admin') },
    ]);
    expect(events.map((event) => event.detailType)).toEqual([
      'iam.permission.pending_approval',
      'iam.permission.pending_approval',
    ]);
    expect(eventIds()).toEqual([
      `evt_pending_${idOf(ANN, 'prod-admin')}`,
      `evt_pending_${idOf(BOB, 'prod-admin')}`,
    ]);
    expect(events[0]?.detail).toMatchObject({
      correlationId: 'c-asg',
      actor: { type: 'user', userId: ADMIN, tenantId: 'acme' },
      data: {
        targetId: `user:${ANN}`,
        userId: ANN,
        grant: { type: 'bundle', bundleId: 'prod-admin', scope: 'tenant' },
        source: { type: 'batch_assign', assignmentId: ASG },
        approvalChain: [],
        validUntil: UNTIL,
      },
    });
  });

  // BUG: the pending grants are built from the task as loaded before the assessment, whose risk is
  // still unset, so they (and their pending_approval events) say 'low' for a high-risk bundle.
  it('never overwrites an ACTIVE grant of something else with a pending one: that grant is merged', async () => {
    queue(highRisk);
    // Not in force yet (it starts tomorrow), so the assessment plans it; the write must not replace it.
    const later: Entitlement = {
      tenantId: 'acme',
      entitlementId: 'ent_direct',
      userId: BOB,
      bundleId: 'prod-admin',
      scope: 'tenant',
      risk: 'high',
      validFrom: at(24).toISOString(),
      source: { type: 'direct' },
      status: 'ACTIVE',
      approvalChain: [],
      grantedBy: ADMIN,
      createdAt: T0.toISOString(),
      updatedAt: T0.toISOString(),
    };
    await entitlements.putAll([later]);
    events = [];
    expect(await prepare()).toEqual({ next: 'APPROVAL' });
    expect(entitlements.of(BOB, 'prod-admin')?.entitlement).toEqual(later);
    expect(outcomes()).toEqual([
      [ANN, 'prod-admin', 'planned'],
      [BOB, 'prod-admin', 'merged'],
    ]);
    expect(eventIds()).toEqual([`evt_pending_${idOf(ANN, 'prod-admin')}`]);
  });

  it('gives the pending grants and their events the risk the assessment found', async () => {
    queue(highRisk);
    await prepare();
    expect(entitlements.all().map((found) => found.risk)).toEqual(['high', 'high']);
    expect(events.map((event) => (event.detail.data.grant as { risk: string }).risk)).toEqual([
      'high',
      'high',
    ]);
  });

  it('waits for a tenant admin when the requester asked for an approval of a low-risk request', async () => {
    queue({ approval: 'required' });
    expect(await prepare()).toEqual({ next: 'APPROVAL' });
    expect(assignments.task()).toMatchObject({ risk: 'low', approverRole: 'tenant_admin' });
    expect(entitlements.all().map((found) => found.status)).toEqual(['PENDING_APPROVAL', 'PENDING_APPROVAL']);
  });

  it('ends FAILED with the findings when a member was deactivated since the request', async () => {
    queue(highRisk);
    users.set(BOB, user(BOB, 'DEACTIVATED'));
    expect(await prepare()).toEqual({ next: 'DONE' });
    const task = assignments.task();
    expect(task.status).toBe('FAILED');
    expect(task.failureReason).toBe('Refused when the workflow assessed it again: DEACTIVATED_MEMBER.');
    expect(task.findings).toEqual([
      expect.objectContaining({ code: 'DEACTIVATED_MEMBER', severity: 'blocking', member: BOB }),
    ]);
    expect(entitlements.items.size).toBe(0);
    expect(assignments.members.size).toBe(0);
    expect(events).toEqual([]);
  });

  it('names each blocking code once, in the order found', async () => {
    queue({ members: [ANN, BOB, 'u_gone'], bundles: ['viewer', 'retired'] });
    await prepare();
    expect(assignments.task().failureReason).toBe(
      'Refused when the workflow assessed it again: UNKNOWN_BUNDLE, UNKNOWN_MEMBER.',
    );
  });

  it('does nothing again once it has moved the task on', async () => {
    queue(highRisk);
    await prepare();
    const before = structuredClone([...entitlements.items.values()]);
    clock = at(1);
    expect(await prepare()).toEqual({ next: 'APPROVAL' });
    expect([...entitlements.items.values()]).toEqual(before);
    expect(eventIds()).toHaveLength(2);
    expect(latencies).toHaveLength(1);
  });

  it.each([
    ['ACTIVATING', 'ACTIVATE'],
    ['COMPLETED', 'DONE'],
    ['REJECTED', 'DONE'],
    ['FAILED', 'DONE'],
  ] as const)('sends a task found %s on to %s without touching it', async (status, next) => {
    queue({}, status);
    expect(await prepare()).toEqual({ next });
    expect(assignments.task().updatedAt).toBe(at(-1).toISOString());
    expect(assignments.members.size).toBe(0);
  });

  it('fails the execution with ASSIGNMENT_NOT_FOUND when the task is gone', async () => {
    const error = await prepare().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'ASSIGNMENT_NOT_FOUND' });
  });

  it('plans the same when retried after failing before the task moved (no approval needed)', async () => {
    queue({});
    assignments.failNextPutMembers = true;
    await expect(prepare()).rejects.toThrow(/table unavailable/);
    expect(assignments.status()).toBe('VALIDATING');
    clock = at(0.1);
    expect(await prepare()).toEqual({ next: 'ACTIVATE' });
    expect(outcomes()).toEqual([
      [ANN, 'viewer', 'planned'],
      [BOB, 'viewer', 'planned'],
    ]);
    // The queue latency is measured once, when the task leaves the queue.
    expect(latencies).toEqual([3600]);
  });

  // The state machine retries Prepare on States.TaskFailed: the grants the first attempt wrote
  // PENDING_APPROVAL are its own plan, not grants "already pending" to merge away.
  it('plans the same grants and waits for the approval when retried after its events failed to publish', async () => {
    queue(highRisk);
    failNextPublish = true;
    await expect(prepare()).rejects.toThrow(/bus unavailable/);
    expect(assignments.status()).toBe('VALIDATING');
    clock = at(0.1);
    expect(await prepare()).toEqual({ next: 'APPROVAL' });
    expect(outcomes()).toEqual([
      [ANN, 'prod-admin', 'planned'],
      [BOB, 'prod-admin', 'planned'],
    ]);
    expect(assignments.task()).toMatchObject({ status: 'AWAITING_APPROVAL', risk: 'high' });
    expect(new Set(eventIds())).toEqual(
      new Set([`evt_pending_${idOf(ANN, 'prod-admin')}`, `evt_pending_${idOf(BOB, 'prod-admin')}`]),
    );
  });
});

describe('activateAssignment', () => {
  it('writes approved grants ACTIVE with the approval in their chain and the first expiry timer', async () => {
    queue(highRisk);
    await prepare();
    events = [];
    clock = at(2);
    const { counts } = await activate(approved);
    expect(counts).toMatchObject({ members: 2, grants: 2, planned: 0, granted: 2, failed: 0 });
    const step = {
      approvalId: 'apr_1',
      decision: 'APPROVED',
      decidedBy: 'u_sec',
      decidedAt: at(2).toISOString(),
      justification: 'On-call rotation confirmed.',
    };
    expect(assignments.task()).toMatchObject({ status: 'ACTIVATING', approvalChain: [step], counts });
    const ann = entitlements.of(ANN, 'prod-admin');
    expect(ann?.entitlement).toMatchObject({
      entitlementId: idOf(ANN, 'prod-admin'),
      status: 'ACTIVE',
      approvalChain: [step],
      validFrom: at(2).toISOString(),
      validUntil: UNTIL,
      risk: 'high',
    });
    // 20 days long: the 168-hour reminder is the first thing due.
    expect(ann?.dueAt).toEqual(new Date(Date.parse(UNTIL) - 168 * HOUR));
    expect(assignments.members.get(0)?.bundles).toEqual([
      { bundleId: 'prod-admin', outcome: 'granted', entitlementId: idOf(ANN, 'prod-admin') },
    ]);
    // Activation announces nothing itself: Notify publishes the grants.
    expect(events).toEqual([]);
  });

  it('writes grants without an approval and without an end with an empty chain and no timer', async () => {
    queue({});
    await prepare();
    await activate();
    expect(entitlements.all().map((found) => [found.userId, found.status, found.approvalChain])).toEqual([
      [ANN, 'ACTIVE', []],
      [BOB, 'ACTIVE', []],
    ]);
    expect(entitlements.of(ANN, 'viewer')?.dueAt).toBeUndefined();
    expect(entitlements.of(ANN, 'viewer')?.entitlement.validUntil).toBeUndefined();
  });

  it('starts the grants at the requested validFrom, not when they are activated', async () => {
    const from = at(24).toISOString();
    queue({ validFrom: from });
    await prepare();
    clock = at(1);
    await activate();
    expect(entitlements.of(BOB, 'viewer')?.entitlement.validFrom).toBe(from);
  });

  it('merges a grant made in force elsewhere meanwhile and fails one for a member deactivated since', async () => {
    queue({ members: [ANN, BOB, CY], bundles: ['viewer'] });
    users.set(CY, user(CY));
    await prepare();
    const elsewhere: Entitlement = {
      tenantId: 'acme',
      entitlementId: 'ent_direct',
      userId: BOB,
      bundleId: 'viewer',
      scope: 'tenant',
      risk: 'low',
      validFrom: at(0.5).toISOString(),
      source: { type: 'direct' },
      status: 'ACTIVE',
      approvalChain: [],
      grantedBy: 'u_other',
      createdAt: at(0.5).toISOString(),
      updatedAt: at(0.5).toISOString(),
    };
    await entitlements.putAll([elsewhere]);
    users.set(CY, user(CY, 'DEACTIVATED'));
    clock = at(1);
    const { counts } = await activate();
    expect(counts).toMatchObject({ granted: 1, merged: 1, failed: 1, grants: 2 });
    expect(outcomes()).toEqual([
      [ANN, 'viewer', 'granted'],
      [BOB, 'viewer', 'merged'],
      [CY, 'viewer', 'failed'],
    ]);
    expect(assignments.members.get(1)?.bundles[0]?.reason).toContain('ent_direct');
    expect(assignments.members.get(2)?.bundles[0]?.reason).toMatch(/deactivated/);
    expect(entitlements.of(BOB, 'viewer')?.entitlement).toEqual(elsewhere);
    expect(entitlements.of(CY, 'viewer')).toBeUndefined();
  });

  it('replaces a grant elsewhere that is no longer in force', async () => {
    queue({});
    await prepare();
    await entitlements.putAll([
      {
        tenantId: 'acme',
        entitlementId: 'ent_old',
        userId: BOB,
        bundleId: 'viewer',
        scope: 'tenant',
        risk: 'low',
        validFrom: at(-100).toISOString(),
        validUntil: at(-1).toISOString(),
        source: { type: 'direct' },
        status: 'EXPIRED',
        approvalChain: [],
        grantedBy: 'u_other',
        createdAt: at(-100).toISOString(),
        updatedAt: at(-1).toISOString(),
      },
    ]);
    await activate();
    expect(entitlements.of(BOB, 'viewer')?.entitlement).toMatchObject({
      entitlementId: idOf(BOB, 'viewer'),
      status: 'ACTIVE',
    });
  });

  it('changes nothing when run again after it finished', async () => {
    queue(highRisk);
    await prepare();
    clock = at(2);
    const first = await activate(approved);
    const before = structuredClone([...entitlements.items.values()]);
    clock = at(3);
    expect(await activate(approved)).toEqual(first);
    expect([...entitlements.items.values()]).toEqual(before);
    expect(assignments.task().approvalChain).toHaveLength(1);
  });

  it('keeps the window it first gave when retried after writing the grants but not the members', async () => {
    queue(highRisk);
    await prepare();
    clock = at(2);
    assignments.failNextPutMembers = true;
    await expect(activate(approved)).rejects.toThrow(/table unavailable/);
    expect(entitlements.of(ANN, 'prod-admin')?.entitlement.status).toBe('ACTIVE');
    clock = at(3);
    const { counts } = await activate(approved);
    expect(counts).toMatchObject({ granted: 2, planned: 0 });
    expect(entitlements.of(ANN, 'prod-admin')?.entitlement).toMatchObject({
      validFrom: at(2).toISOString(),
      createdAt: at(2).toISOString(),
      updatedAt: at(3).toISOString(),
    });
    expect(assignments.task().approvalChain).toHaveLength(1);
  });

  it('activates nothing for a task still waiting when no approval came with the call', async () => {
    queue(highRisk);
    await prepare();
    const { counts } = await activate();
    expect(counts.planned).toBe(2);
    expect(assignments.status()).toBe('AWAITING_APPROVAL');
    expect(entitlements.all().every((found) => found.status === 'PENDING_APPROVAL')).toBe(true);
  });
});

/** What RejectGrants receives: the AwaitApproval failure, its outcome as JSON in Cause. */
const rejectInput = (error: string, outcome: unknown) =>
  rejectInputSchema.parse({
    ...RUN,
    approvalFailure: { Error: error, Cause: typeof outcome === 'string' ? outcome : JSON.stringify(outcome) },
  });
const reject = (error: string, outcome: ApprovalOutcome) =>
  rejectAssignment(deps, { ...RUN, outcome: rejectInput(error, outcome).approvalFailure });

describe('rejectAssignment', () => {
  it('rejects every pending grant with the approver and justification of Approval.Rejected', async () => {
    queue(highRisk);
    await prepare();
    events = [];
    clock = at(2);
    const { counts } = await reject('Approval.Rejected', rejected);
    const step = {
      approvalId: 'apr_1',
      decision: 'REJECTED',
      decidedBy: 'u_sec',
      decidedAt: at(2).toISOString(),
      justification: 'Use break-glass.',
    };
    expect(counts).toMatchObject({ rejected: 2, planned: 0, grants: 2 });
    expect(assignments.task()).toMatchObject({ status: 'REJECTED', approvalChain: [step], counts });
    expect(entitlements.all().map((found) => [found.status, found.approvalChain, found.updatedAt])).toEqual([
      ['REJECTED', [step], at(2).toISOString()],
      ['REJECTED', [step], at(2).toISOString()],
    ]);
    expect(assignments.members.get(0)?.bundles).toEqual([
      {
        bundleId: 'prod-admin',
        outcome: 'rejected',
        reason: 'Rejected by the approver: Use break-glass.',
        entitlementId: idOf(ANN, 'prod-admin'),
      },
    ]);
    expect(events.map((event) => [event.detailType, event.detail.eventId, event.detail.data.reason])).toEqual(
      [
        ['iam.permission.rejected', `evt_rejected_${idOf(ANN, 'prod-admin')}`, 'rejected'],
        ['iam.permission.rejected', `evt_rejected_${idOf(BOB, 'prod-admin')}`, 'rejected'],
      ],
    );
    expect(events[0]?.detail.actor).toEqual({ type: 'user', userId: 'u_sec', tenantId: 'acme' });
    expect(events[0]?.detail.data.approvalChain).toEqual([step]);
  });

  it('says the approver gave no reason when the rejection has no justification', async () => {
    queue(highRisk);
    await prepare();
    const { justification: _none, ...bare } = rejected;
    await reject('Approval.Rejected', bare);
    expect(assignments.members.get(0)?.bundles[0]?.reason).toBe('Rejected by the approver.');
  });

  it('rejects every pending grant as expired, by the system, after Approval.Expired', async () => {
    queue(highRisk);
    await prepare();
    events = [];
    clock = at(72);
    await reject('Approval.Expired', expired);
    const step = { approvalId: 'apr_1', decision: 'EXPIRED', decidedAt: at(72).toISOString() };
    expect(entitlements.all().map((found) => [found.status, found.approvalChain])).toEqual([
      ['REJECTED', [step]],
      ['REJECTED', [step]],
    ]);
    expect(assignments.task()).toMatchObject({ status: 'REJECTED', approvalChain: [step] });
    expect(assignments.members.get(1)?.bundles[0]?.reason).toMatch(/^Nobody decided on the approval/);
    expect(events.map((event) => event.detail.data.reason)).toEqual(['approval_expired', 'approval_expired']);
    expect(events[0]?.detail.actor).toEqual({ type: 'system', component: 'approvals' });
  });

  it('leaves alone a grant that replaced a pending one meanwhile', async () => {
    queue(highRisk);
    await prepare();
    const replacement: Entitlement = {
      ...(entitlements.of(BOB, 'prod-admin')?.entitlement as Entitlement),
      entitlementId: 'ent_direct',
      source: { type: 'direct' },
      status: 'ACTIVE',
    };
    await entitlements.putAll([replacement]);
    await reject('Approval.Rejected', rejected);
    expect(entitlements.of(BOB, 'prod-admin')?.entitlement).toEqual(replacement);
    expect(entitlements.of(ANN, 'prod-admin')?.entitlement.status).toBe('REJECTED');
  });

  it('changes nothing and announces nothing when run again', async () => {
    queue(highRisk);
    await prepare();
    const first = await reject('Approval.Rejected', rejected);
    const published = eventIds();
    clock = at(5);
    expect(await reject('Approval.Rejected', rejected)).toEqual(first);
    expect(eventIds()).toEqual(published);
    expect(assignments.task().approvalChain).toHaveLength(1);
  });

  it('republishes under the same ids when retried after its events failed to publish', async () => {
    queue(highRisk);
    await prepare();
    events = [];
    failNextPublish = true;
    await expect(reject('Approval.Rejected', rejected)).rejects.toThrow(/bus unavailable/);
    expect(assignments.status()).toBe('AWAITING_APPROVAL');
    await reject('Approval.Rejected', rejected);
    expect(eventIds()).toEqual([
      `evt_rejected_${idOf(ANN, 'prod-admin')}`,
      `evt_rejected_${idOf(BOB, 'prod-admin')}`,
    ]);
    expect(assignments.task()).toMatchObject({ status: 'REJECTED', counts: { rejected: 2 } });
  });

  it('does nothing to a task that no longer waits for the approval', async () => {
    queue({});
    await prepare();
    await reject('Approval.Rejected', rejected);
    expect(assignments.status()).toBe('ACTIVATING');
    expect(events).toEqual([]);
  });

  it('refuses a cause that is not JSON, or not an approval outcome, naming what is wrong', () => {
    expect(() => rejectInput('Approval.Rejected', 'approver said no')).toThrow(/Cause is not JSON/);
    const { decision: _missing, ...withoutDecision } = rejected;
    const error = (() => {
      try {
        rejectInput('Approval.Rejected', withoutDecision);
      } catch (caught) {
        return caught as { issues: { path: PropertyKey[] }[] };
      }
    })();
    expect(error?.issues.map((issue) => issue.path)).toEqual([['approvalFailure', 'decision']]);
    expect(() => rejectInput('Approval.Rejected', { ...rejected, decision: 'MAYBE' })).toThrow(/decision/);
  });
});

describe('failAssignment', () => {
  it('fails the task with the error and rejects the grants it left pending, keeping their chain', async () => {
    queue(highRisk);
    await prepare();
    events = [];
    clock = at(3);
    await failAssignment(deps, {
      ...RUN,
      error: { Error: 'States.Timeout', Cause: 'AwaitApproval timed out' },
    });
    expect(assignments.task()).toMatchObject({
      status: 'FAILED',
      failureReason: 'The workflow failed: States.Timeout (AwaitApproval timed out)',
      updatedAt: at(3).toISOString(),
    });
    expect(entitlements.all().map((found) => [found.status, found.approvalChain, found.updatedAt])).toEqual([
      ['REJECTED', [], at(3).toISOString()],
      ['REJECTED', [], at(3).toISOString()],
    ]);
  });

  it('publishes iam.permission.rejected for each grant it rejects, under the ids a rejection would use', async () => {
    queue(highRisk);
    await prepare();
    events = [];
    await failAssignment(deps, { ...RUN, error: { Error: 'States.Timeout' } });
    expect(events.map((event) => event.detailType)).toEqual([
      'iam.permission.rejected',
      'iam.permission.rejected',
    ]);
    expect(eventIds().sort()).toEqual(
      [`evt_rejected_${idOf(ANN, 'prod-admin')}`, `evt_rejected_${idOf(BOB, 'prod-admin')}`].sort(),
    );
  });

  it('ends COMPLETED_WITH_ERRORS, not FAILED, when grants were already made (Notify failed after activation)', async () => {
    queue({});
    await prepare();
    await activate();
    await failAssignment(deps, { ...RUN, error: { Error: 'States.TaskFailed', Cause: 'SES down' } });
    expect(assignments.task()).toMatchObject({
      status: 'COMPLETED_WITH_ERRORS',
      failureReason:
        'The grants made are in force, but the workflow failed after making them: States.TaskFailed (SES down)',
    });
    expect(entitlements.of(ANN, 'viewer')?.entitlement.status).toBe('ACTIVE');
  });

  it('ends COMPLETED_WITH_ERRORS when ActivateGrants wrote grants and then failed, before any count moved', async () => {
    queue({});
    await prepare();
    assignments.failNextPutMembers = true;
    await expect(activate()).rejects.toThrow('table unavailable');
    expect(assignments.task().counts.granted).toBe(0);
    await failAssignment(deps, { ...RUN, error: { Error: 'States.TaskFailed' } });
    expect(assignments.task().status).toBe('COMPLETED_WITH_ERRORS');
  });

  it('rejects the pending grants of a Prepare that failed for good after writing them (found by the recorded plan)', async () => {
    queue(highRisk);
    failNextPublish = true;
    await expect(prepare()).rejects.toThrow('bus unavailable');
    expect(entitlements.of(ANN, 'prod-admin')?.entitlement.status).toBe('PENDING_APPROVAL');
    await failAssignment(deps, { ...RUN, error: { Error: 'States.TaskFailed' } });
    expect(
      [entitlements.of(ANN, 'prod-admin'), entitlements.of(BOB, 'prod-admin')].map(
        (found) => found?.entitlement.status,
      ),
    ).toEqual(['REJECTED', 'REJECTED']);
    expect(assignments.task().status).toBe('FAILED');
  });

  it('announces every rejection again when retried after the grants were settled but not announced', async () => {
    queue(highRisk);
    await prepare();
    events = [];
    failNextPublish = true;
    await expect(failAssignment(deps, { ...RUN, error: { Error: 'States.Timeout' } })).rejects.toThrow(
      'bus unavailable',
    );
    await failAssignment(deps, { ...RUN, error: { Error: 'States.Timeout' } });
    expect(eventIds().sort()).toEqual(
      [`evt_rejected_${idOf(ANN, 'prod-admin')}`, `evt_rejected_${idOf(BOB, 'prod-admin')}`].sort(),
    );
  });

  it('describes an error without a cause, a long cause cut short, and no error at all', async () => {
    const reasonFor = async (error: unknown) => {
      queue({});
      await failAssignment(deps, { ...RUN, error });
      return assignments.task().failureReason;
    };
    expect(await reasonFor({ Error: 'Lambda.Unknown' })).toBe('The workflow failed: Lambda.Unknown');
    const long = await reasonFor({ Error: 'States.TaskFailed', Cause: 'x'.repeat(2000) });
    expect(long).toBe(`The workflow failed: States.TaskFailed (${'x'.repeat(500)})`);
    expect(await reasonFor(undefined)).toBe('The workflow failed: unknown error');
    expect(await reasonFor('boom')).toBe('The workflow failed: unknown error');
  });

  it('leaves a grant made in force elsewhere meanwhile as it is', async () => {
    queue(highRisk);
    await prepare();
    const replacement: Entitlement = {
      ...(entitlements.of(ANN, 'prod-admin')?.entitlement as Entitlement),
      entitlementId: 'ent_import',
      source: { type: 'bulk_import', taskId: 't_1', row: 2 },
      status: 'ACTIVE',
    };
    await entitlements.putAll([replacement]);
    await failAssignment(deps, { ...RUN, error: { Error: 'States.Timeout' } });
    expect(entitlements.of(ANN, 'prod-admin')?.entitlement).toEqual(replacement);
    expect(entitlements.of(BOB, 'prod-admin')?.entitlement.status).toBe('REJECTED');
  });

  it('keeps the first reason when run again, and cannot fail a task that already ended', async () => {
    queue(highRisk);
    await prepare();
    await failAssignment(deps, { ...RUN, error: { Error: 'First' } });
    clock = at(4);
    await failAssignment(deps, { ...RUN, error: { Error: 'Second' } });
    expect(assignments.task()).toMatchObject({
      status: 'FAILED',
      failureReason: 'The workflow failed: First',
      updatedAt: T0.toISOString(),
    });

    queue({});
    await prepare();
    await activate();
    await assignments.transition('acme', ASG, 'COMPLETED', {}, at(1).toISOString());
    await failAssignment(deps, { ...RUN, error: { Error: 'Late' } });
    expect(assignments.task().status).toBe('COMPLETED');
    expect(assignments.task().failureReason).toBeUndefined();
    expect(
      [entitlements.of(ANN, 'viewer'), entitlements.of(BOB, 'viewer')].map(
        (found) => found?.entitlement.status,
      ),
    ).toEqual(['ACTIVE', 'ACTIVE']);
  });
});

describe('notifyAssignment', () => {
  function notifyDeps(sent: string[], failFor?: string) {
    return {
      ...deps,
      mailer: {
        send: async (email: { to: string }) => {
          if (email.to === failFor) throw new Error('MessageRejected: Email address is not verified: ann@x');
          sent.push(email.to);
        },
      },
      recordFailureRatio: () => {},
    };
  }

  it('announces each grant, sets the final status, then mails each member and the requester once', async () => {
    queue({});
    await prepare();
    await activate();
    const sent: string[] = [];
    expect(await notifyAssignment(notifyDeps(sent), RUN)).toEqual({ status: 'COMPLETED', notified: 3 });
    expect(assignments.status()).toBe('COMPLETED');
    expect(sent.sort()).toEqual([ADMIN, ANN, BOB].map((id) => users.get(id)?.email).sort());
    expect(events.filter((event) => event.detailType === 'iam.permission.granted')).toHaveLength(2);
  });

  it('mails nobody twice when retried after the status was set (the status is the claim)', async () => {
    queue({});
    await prepare();
    await activate();
    const first: string[] = [];
    await notifyAssignment(notifyDeps(first), RUN);
    const again: string[] = [];
    expect(await notifyAssignment(notifyDeps(again), RUN)).toEqual({ status: 'COMPLETED', notified: 0 });
    expect(again).toEqual([]);
  });

  it('mails no one before the final status is written, so a failed write and its retry mail each once', async () => {
    queue({});
    await prepare();
    await activate();
    const sent: string[] = [];
    assignments.failNextTransition = true;
    await expect(notifyAssignment(notifyDeps(sent), RUN)).rejects.toThrow('table unavailable');
    expect(sent).toEqual([]);
    await notifyAssignment(notifyDeps(sent), RUN);
    expect(sent).toHaveLength(3);
  });

  it('still mails the others when looking one recipient up fails', async () => {
    queue({});
    await prepare();
    await activate();
    const sent: string[] = [];
    const getUser = deps.directory.getUser;
    deps = {
      ...deps,
      directory: {
        ...deps.directory,
        getUser: async (tenantId, userId) => {
          if (userId === ANN) throw new Error('ProvisionedThroughputExceededException');
          return getUser(tenantId, userId);
        },
      },
    };
    expect(await notifyAssignment(notifyDeps(sent), RUN)).toEqual({ status: 'COMPLETED', notified: 2 });
    expect(sent).not.toContain(users.get(ANN)?.email);
  });

  it('counts an email that fails as not sent and goes on with the others', async () => {
    queue({});
    await prepare();
    await activate();
    const sent: string[] = [];
    const annEmail = users.get(ANN)?.email;
    const result = await notifyAssignment(notifyDeps(sent, annEmail), RUN);
    expect(result).toEqual({ status: 'COMPLETED', notified: 2 });
    expect(sent).not.toContain(annEmail);
  });
});
