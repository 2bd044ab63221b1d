import { createHash } from 'node:crypto';
import pLimit from 'p-limit';
import { approvalStepOf, decisionActor } from '../../approvals/domain/approval-step';
import { type ApprovalOutcome, approverRoleFor } from '../../approvals/domain/approval-subject';
import type { DirectoryRepository } from '../../identity/adapters/directory-repository';
import { domainEvent, type EventType } from '../../shared/events/catalog';
import type { DomainEvent, EventActor } from '../../shared/events/domain-event';
import type { AssignmentRepository } from '../adapters/assignment-repository';
import type { EntitlementRepository, GrantKey } from '../adapters/entitlement-repository';
import { activatedOutcome, activationStep } from '../domain/activation';
import {
  type AssignmentCounts,
  type AssignmentTask,
  type BundleOutcome,
  countOutcomes,
  type MemberRecord,
  needsApproval,
  planMembers,
} from '../domain/assignment-task';
import type { RiskLevel } from '../domain/bundle';
import type { ApprovalStep, Entitlement } from '../domain/entitlement';
import { nextDueAt } from '../domain/expiry';
import { type AssessDeps, assessWithMembers } from './assess-assignment';
import { missingAssignment } from './batch-assign';

/**
 * The steps of the batch-assign workflow (statemachines/batch-assign.asl.json). Each is safe to run
 * again: the task moves by conditional writes, entitlement ids and event ids are derived from the
 * assignment and the grant, and a step that finds the task past it does nothing.
 */
export interface AssignmentWorkflowDeps extends AssessDeps {
  readonly assignments: Pick<
    AssignmentRepository,
    'get' | 'transition' | 'update' | 'putMembers' | 'listMembers'
  >;
  readonly entitlements: AssessDeps['entitlements'] &
    Pick<EntitlementRepository, 'putAll' | 'putPending' | 'getMany' | 'settlePending'>;
  readonly directory: AssessDeps['directory'] & Pick<DirectoryRepository, 'getUser'>;
  readonly publish: (events: readonly DomainEvent[]) => Promise<void>;
}

export interface RunInput {
  readonly tenantId: string;
  readonly assignmentId: string;
  readonly correlationId: string;
}

/** Where the workflow goes after Prepare. */
export type PrepareResult = { readonly next: 'APPROVAL' | 'ACTIVATE' | 'DONE' };

/** The same grant of the same assignment always gets the same entitlement id. */
export function entitlementIdOf(
  assignmentId: string,
  userId: string,
  scope: string,
  bundleId: string,
): string {
  const digest = createHash('sha256').update(`${assignmentId}\u0000${userId}\u0000${scope}\u0000${bundleId}`);
  return `ent_${digest.digest('hex').slice(0, 26)}`;
}

async function loadTask(deps: Pick<AssignmentWorkflowDeps, 'assignments'>, input: RunInput) {
  const task = await deps.assignments.get(input.tenantId, input.assignmentId);
  // A workflow without its task cannot do anything sensible: fail the execution.
  if (!task) throw missingAssignment(input.assignmentId);
  return task;
}

/**
 * Prepare: assesses the request again, as its requester, now (members may have left, grants may
 * have been made since the POST). Refused now → FAILED with the findings. Otherwise plans each
 * member's grants; when an approval is needed writes them PENDING_APPROVAL (they grant nothing)
 * with `iam.permission.pending_approval` events and waits.
 */
export async function prepareAssignment(
  deps: AssignmentWorkflowDeps & { readonly recordQueueLatency: (seconds: number) => void },
  input: RunInput,
): Promise<PrepareResult> {
  const task = await loadTask(deps, input);
  if (task.status === 'AWAITING_APPROVAL') return { next: 'APPROVAL' };
  if (task.status === 'ACTIVATING') return { next: 'ACTIVATE' };
  if (task.status !== 'QUEUED' && task.status !== 'VALIDATING') return { next: 'DONE' };
  const now = deps.clock();
  if (task.status === 'QUEUED') {
    await deps.assignments.transition(task.tenantId, task.assignmentId, 'VALIDATING', {}, now.toISOString());
    deps.recordQueueLatency((now.getTime() - Date.parse(task.acceptedAt)) / 1000);
  }
  const requester = { tenantId: task.tenantId, currentUserId: task.requestedBy };
  const { assessment, members } = await assessWithMembers(deps, requester, task.request, task.assignmentId);
  if (!assessment.allowed) {
    const codes = [
      ...new Set(assessment.findings.filter((f) => f.severity === 'blocking').map((f) => f.code)),
    ];
    await deps.assignments.transition(
      task.tenantId,
      task.assignmentId,
      'FAILED',
      {
        findings: assessment.findings,
        failureReason: `Refused when the workflow assessed it again: ${codes.join(', ')}.`,
      },
      now.toISOString(),
    );
    return { next: 'DONE' };
  }
  const requiresApproval = needsApproval(task.request, assessment);
  let records = planMembers(task.request, assessment, members);
  if (requiresApproval) {
    // The plan is recorded before any grant is written: MarkFailed finds the grants to reject by it,
    // whatever step of Prepare failed for good.
    records = withEntitlementIds(task, records);
    await deps.assignments.putMembers(task.tenantId, task.assignmentId, records);
    const limit = pLimit(WRITES_IN_FLIGHT);
    // The task as loaded has no risk yet: the grants carry the one just assessed.
    const planned = plannedEntitlements({ ...task, risk: assessment.risk }, records, 'PENDING_APPROVAL', now);
    const written = await Promise.all(
      planned.map((entitlement) => limit(() => deps.entitlements.putPending(entitlement, task.assignmentId))),
    );
    const pending = planned.filter((_, index) => written[index]);
    const refused = new Set(planned.filter((_, index) => !written[index]).map(grantKey));
    records = withEntitlementIds(task, mergedSince(task, records, refused));
    await deps.publish(
      pending.map((entitlement) =>
        permissionEvent(
          'iam.permission.pending_approval',
          task,
          entitlement,
          requesterActor(task),
          now,
          `evt_pending_${entitlement.entitlementId}`,
        ),
      ),
    );
  }
  await deps.assignments.putMembers(task.tenantId, task.assignmentId, records);
  const fields = {
    risk: assessment.risk,
    approverRole: approverRoleFor(assessment.risk),
    requiresApproval,
    findings: assessment.findings,
    counts: countOutcomes(records),
  };
  const to = requiresApproval ? 'AWAITING_APPROVAL' : 'ACTIVATING';
  await deps.assignments.transition(task.tenantId, task.assignmentId, to, fields, now.toISOString());
  return { next: requiresApproval ? 'APPROVAL' : 'ACTIVATE' };
}

/** Conditional entitlement writes in flight at once. */
const WRITES_IN_FLIGHT = 8;

/** Grants made or requested elsewhere between the assessment and the write: merged, not planned. */
function mergedSince(
  task: AssignmentTask,
  records: readonly MemberRecord[],
  refused: ReadonlySet<string>,
): MemberRecord[] {
  if (refused.size === 0) return [...records];
  return records.map((record) => ({
    ...record,
    bundles: record.bundles.map((bundle): BundleOutcome => {
      const { userId } = record;
      if (bundle.outcome !== 'planned' || userId === undefined) return bundle;
      if (!refused.has(grantKey({ userId, scope: task.request.scope, bundleId: bundle.bundleId })))
        return bundle;
      return {
        bundleId: bundle.bundleId,
        outcome: 'merged',
        reason: 'Granted or requested elsewhere while this assignment was prepared; not requested twice.',
      };
    }),
  }));
}

function plannedGrants(records: readonly MemberRecord[]) {
  return records.flatMap((record) => {
    const { userId } = record;
    if (userId === undefined) return [];
    return record.bundles
      .filter((bundle) => bundle.outcome === 'planned')
      .map((bundle) => ({ record, userId, bundleId: bundle.bundleId }));
  });
}

function withEntitlementIds(task: AssignmentTask, records: readonly MemberRecord[]): MemberRecord[] {
  return records.map((record) => ({
    ...record,
    bundles: record.bundles.map((bundle): BundleOutcome => {
      if (bundle.outcome !== 'planned' || record.userId === undefined) return bundle;
      const id = entitlementIdOf(task.assignmentId, record.userId, task.request.scope, bundle.bundleId);
      return { ...bundle, entitlementId: id };
    }),
  }));
}

function plannedEntitlements(
  task: AssignmentTask,
  records: readonly MemberRecord[],
  status: Entitlement['status'],
  now: Date,
  approvalChain: readonly ApprovalStep[] = [],
): Entitlement[] {
  const risk: RiskLevel = task.risk ?? 'low';
  return plannedGrants(records).map(({ userId, bundleId }) => ({
    tenantId: task.tenantId,
    entitlementId: entitlementIdOf(task.assignmentId, userId, task.request.scope, bundleId),
    userId,
    bundleId,
    scope: task.request.scope,
    risk,
    validFrom: task.request.validFrom ?? now.toISOString(),
    ...(task.request.validUntil === undefined ? {} : { validUntil: task.request.validUntil }),
    source: { type: 'batch_assign', assignmentId: task.assignmentId },
    status,
    approvalChain,
    grantedBy: task.requestedBy,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  }));
}

/**
 * ActivateGrants: writes the planned grants ACTIVE, with the approval (if any) in their chain and
 * the expiry sweep's first timer. Members deactivated since are failed; grants in force from
 * elsewhere merged. One invocation handles the seed's 100 members (1,000 × 20 bundles at most,
 * 25 items a write); past ~5,000 grants this would become a Distributed Map over batches of
 * members, as the import does, each batch writing its own member records.
 */
export async function activateAssignment(
  deps: AssignmentWorkflowDeps & { readonly reminderHours: readonly number[] },
  input: RunInput & { readonly approval?: ApprovalOutcome },
): Promise<{ counts: AssignmentCounts }> {
  let task = await loadTask(deps, input);
  const now = deps.clock();
  if (task.status === 'AWAITING_APPROVAL' && input.approval) {
    const approvalChain = [...task.approvalChain, approvalStepOf(input.approval)];
    task =
      (await deps.assignments.transition(
        task.tenantId,
        task.assignmentId,
        'ACTIVATING',
        { approvalChain },
        now.toISOString(),
      )) ?? (await loadTask(deps, input));
  }
  if (task.status !== 'ACTIVATING') return { counts: task.counts };

  const records = await deps.assignments.listMembers(task.tenantId, task.assignmentId);
  const planned = plannedGrants(records);
  const limit = pLimit(8);
  const userIds = [...new Set(planned.map((grant) => grant.userId))];
  const [users, existing] = await Promise.all([
    Promise.all(userIds.map((userId) => limit(() => deps.directory.getUser(task.tenantId, userId)))),
    deps.entitlements.getMany(
      task.tenantId,
      planned.map(({ userId, bundleId }) => ({ userId, bundleId, scope: task.request.scope })),
    ),
  ]);
  const userById = new Map(userIds.map((userId, index) => [userId, users[index]]));
  const existingByKey = new Map(existing.map((entitlement) => [grantKey(entitlement), entitlement]));

  const written = new Map<string, Entitlement>();
  const toWrite: Entitlement[] = [];
  const steps = new Map<string, ReturnType<typeof activationStep>>();
  const activeNow = plannedEntitlements(task, records, 'ACTIVE', now, task.approvalChain);
  for (const entitlement of activeNow) {
    const before = existingByKey.get(grantKey(entitlement));
    const step = activationStep(task.assignmentId, before, userById.get(entitlement.userId), now);
    steps.set(grantKey(entitlement), step);
    if (step.action !== 'write') continue;
    // A retry rewrites our own ACTIVE grant with the window it was first given.
    const kept =
      before?.status === 'ACTIVE' && before.entitlementId === entitlement.entitlementId
        ? { validFrom: before.validFrom, createdAt: before.createdAt }
        : {};
    const grant = { ...entitlement, ...kept };
    toWrite.push(grant);
    written.set(grantKey(grant), grant);
  }
  await deps.entitlements.putAll(toWrite, (entitlement) => nextDueAt(entitlement, deps.reminderHours, now));

  const activated = records.map((record) => ({
    ...record,
    bundles: record.bundles.map((bundle): BundleOutcome => {
      if (bundle.outcome !== 'planned' || record.userId === undefined) return bundle;
      const key = grantKey({ userId: record.userId, scope: task.request.scope, bundleId: bundle.bundleId });
      const step = steps.get(key) ?? { action: 'fail', reason: 'Not planned.' };
      const id = entitlementIdOf(task.assignmentId, record.userId, task.request.scope, bundle.bundleId);
      return activatedOutcome(bundle, step, id);
    }),
  }));
  await deps.assignments.putMembers(task.tenantId, task.assignmentId, activated);
  const counts = countOutcomes(activated);
  await deps.assignments.update(
    task.tenantId,
    task.assignmentId,
    ['ACTIVATING'],
    { counts },
    now.toISOString(),
  );
  return { counts };
}

function grantKey(grant: { userId: string; scope: string; bundleId: string }): string {
  return `${grant.userId}\u0000${grant.scope}\u0000${grant.bundleId}`;
}

/**
 * RejectGrants: the approval said no, or nobody answered in time. Each pending grant becomes
 * REJECTED with the decision (and its justification) in its chain, and `iam.permission.rejected`;
 * the member records say why.
 */
export async function rejectAssignment(
  deps: AssignmentWorkflowDeps,
  input: RunInput & { readonly outcome: ApprovalOutcome },
): Promise<{ counts: AssignmentCounts }> {
  const task = await loadTask(deps, input);
  if (task.status !== 'AWAITING_APPROVAL') return { counts: task.counts };
  const now = deps.clock();
  const step = approvalStepOf(input.outcome);
  const approvalChain = [...task.approvalChain, step];
  const expired = input.outcome.decision === 'EXPIRED';
  const reason = expired
    ? 'Nobody decided on the approval within the maximum wait; the grant was not made.'
    : `Rejected by the approver${step.justification ? `: ${step.justification}` : '.'}`;
  const records = await deps.assignments.listMembers(task.tenantId, task.assignmentId);
  const rejected = await rejectPlanned(deps, task, records, approvalChain, now);
  const actor = decisionActor(step, task.tenantId, 'approvals');
  await deps.publish(
    rejected.map((entitlement) =>
      domainEvent(
        'iam.permission.rejected',
        eventContext(task, actor, now),
        { ...permissionData(entitlement), reason: expired ? 'approval_expired' : 'rejected' },
        `evt_rejected_${entitlement.entitlementId}`,
      ),
    ),
  );
  const settled = records.map((record) => ({
    ...record,
    bundles: record.bundles.map(
      (bundle): BundleOutcome =>
        bundle.outcome === 'planned' ? { ...bundle, outcome: 'rejected', reason } : bundle,
    ),
  }));
  await deps.assignments.putMembers(task.tenantId, task.assignmentId, settled);
  const counts = countOutcomes(settled);
  await deps.assignments.transition(
    task.tenantId,
    task.assignmentId,
    'REJECTED',
    { approvalChain, counts },
    now.toISOString(),
  );
  return { counts };
}

/**
 * MarkFailed: the workflow could not go on. Grants it left pending are rejected (otherwise they
 * would stand as "already pending" in every later request), with `iam.permission.rejected`. The
 * task is FAILED with the error, unless grants were already made (Notify failed after activation):
 * then it is COMPLETED_WITH_ERRORS, because those grants are in force and the status must say so.
 */
export async function failAssignment(
  deps: AssignmentWorkflowDeps,
  input: RunInput & { readonly error?: unknown },
): Promise<void> {
  const task = await loadTask(deps, input);
  const now = deps.clock();
  const records = await deps.assignments.listMembers(task.tenantId, task.assignmentId);
  await rejectPlanned(deps, task, records, task.approvalChain, now);
  // What the grants are now, not what this attempt changed: a retry after a crash still announces
  // every rejection (stable ids), and grants ActivateGrants wrote before failing are seen.
  const stored = await deps.entitlements.getMany(
    task.tenantId,
    grantsOf(task, records, ['planned', 'granted']),
  );
  const ours = stored.filter(
    (entitlement) =>
      entitlement.source.type === 'batch_assign' && entitlement.source.assignmentId === task.assignmentId,
  );
  await deps.publish(
    ours
      .filter((entitlement) => entitlement.status === 'REJECTED')
      .map((entitlement) =>
        domainEvent(
          'iam.permission.rejected',
          eventContext(task, { type: 'system', component: 'batch-assign' }, now),
          { ...permissionData(entitlement), reason: 'rejected' },
          `evt_rejected_${entitlement.entitlementId}`,
        ),
      ),
  );
  const granted = ours.some((entitlement) => entitlement.status === 'ACTIVE');
  const failure = describeError(input.error);
  await deps.assignments.transition(
    task.tenantId,
    task.assignmentId,
    granted ? 'COMPLETED_WITH_ERRORS' : 'FAILED',
    {
      failureReason: granted
        ? `The grants made are in force, but the workflow failed after making them: ${failure}`
        : `The workflow failed: ${failure}`,
    },
    now.toISOString(),
  );
}

/**
 * Settles each planned grant still PENDING_APPROVAL for this assignment as REJECTED with the chain
 * (a grant that replaced ours is left alone); resolves with the grants as rejected.
 */
async function rejectPlanned(
  deps: Pick<AssignmentWorkflowDeps, 'entitlements'>,
  task: AssignmentTask,
  records: readonly MemberRecord[],
  approvalChain: readonly ApprovalStep[],
  now: Date,
): Promise<Entitlement[]> {
  const rejected = plannedEntitlements(task, records, 'REJECTED', now, approvalChain);
  await Promise.all(
    rejected.map((entitlement) =>
      deps.entitlements.settlePending(
        task.tenantId,
        entitlement,
        task.assignmentId,
        { status: 'REJECTED', approvalChain },
        now.toISOString(),
      ),
    ),
  );
  return rejected;
}

/** The (user, scope, bundle) of each member's bundle with one of these outcomes. */
function grantsOf(
  task: AssignmentTask,
  records: readonly MemberRecord[],
  outcomes: readonly BundleOutcome['outcome'][],
): GrantKey[] {
  return records.flatMap((record) => {
    const { userId } = record;
    if (userId === undefined) return [];
    return record.bundles
      .filter((bundle) => outcomes.includes(bundle.outcome))
      .map((bundle) => ({ userId, scope: task.request.scope, bundleId: bundle.bundleId }));
  });
}

function describeError(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'Error' in error) {
    const { Error: name, Cause: cause } = error as { Error?: unknown; Cause?: unknown };
    return `${String(name)}${typeof cause === 'string' ? ` (${cause.slice(0, 500)})` : ''}`;
  }
  return 'unknown error';
}

function requesterActor(task: AssignmentTask): EventActor {
  return { type: 'user', userId: task.requestedBy, tenantId: task.tenantId };
}

function eventContext(task: AssignmentTask, actor: EventActor, now: Date) {
  return { tenantId: task.tenantId, correlationId: task.correlationId, actor, occurredAt: now };
}

/** What every `iam.permission.*` event says about an entitlement. */
export function permissionData(entitlement: Entitlement) {
  return {
    targetId: `user:${entitlement.userId}`,
    userId: entitlement.userId,
    grant: {
      type: 'bundle' as const,
      entitlementId: entitlement.entitlementId,
      bundleId: entitlement.bundleId,
      scope: entitlement.scope,
      risk: entitlement.risk,
    },
    source: entitlement.source,
    approvalChain: [...entitlement.approvalChain],
    validFrom: entitlement.validFrom,
    ...(entitlement.validUntil === undefined ? {} : { validUntil: entitlement.validUntil }),
  };
}

function permissionEvent(
  type: Extract<EventType, 'iam.permission.pending_approval' | 'iam.permission.granted'>,
  task: AssignmentTask,
  entitlement: Entitlement,
  actor: EventActor,
  now: Date,
  eventId: string,
): DomainEvent {
  return domainEvent(type, eventContext(task, actor, now), permissionData(entitlement), eventId);
}

export { permissionEvent, plannedEntitlements, requesterActor };
