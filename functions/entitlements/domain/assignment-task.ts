import { z } from 'zod';
import { type Assessment, assignmentRequestSchema, type Finding, type MemberFacts } from './assignment';
import type { RiskLevel } from './bundle';
import type { ApprovalStep } from './entitlement';

/**
 * A batch assignment as it runs (seed 001, `POST /internal/iam/roles/batch-assign`): the request,
 * what the least-privilege rules said of it, and each member's outcome per bundle.
 */
export const batchAssignRequestSchema = assignmentRequestSchema.extend({
  /**
   * `required` asks for an approval even where the rules would not; `auto` leaves it to the rules.
   * Never a way to skip one: high risk or a warning finding always waits for an approver.
   */
  approval: z.enum(['auto', 'required']).default('auto'),
});
export type BatchAssignRequest = z.infer<typeof batchAssignRequestSchema>;

export const ASSIGNMENT_STATUSES = [
  'QUEUED',
  'VALIDATING',
  'AWAITING_APPROVAL',
  'ACTIVATING',
  'COMPLETED',
  'COMPLETED_WITH_ERRORS',
  'REJECTED',
  'FAILED',
] as const;
export type AssignmentStatus = (typeof ASSIGNMENT_STATUSES)[number];

/**
 * Where each status may go. Every step of the workflow moves the task with a conditional write
 * from the statuses listed here, so a retried step finds the task already moved and does not act
 * twice, and a late step of a failed execution cannot revive a finished task.
 */
const NEXT: Readonly<Record<AssignmentStatus, readonly AssignmentStatus[]>> = {
  QUEUED: ['VALIDATING', 'FAILED'],
  VALIDATING: ['AWAITING_APPROVAL', 'ACTIVATING', 'FAILED'],
  AWAITING_APPROVAL: ['ACTIVATING', 'REJECTED', 'FAILED'],
  ACTIVATING: ['COMPLETED', 'COMPLETED_WITH_ERRORS', 'FAILED'],
  COMPLETED: [],
  COMPLETED_WITH_ERRORS: [],
  REJECTED: [],
  FAILED: [],
};

export function canTransition(from: AssignmentStatus, to: AssignmentStatus): boolean {
  return NEXT[from].includes(to);
}

/** The statuses a task may be in to move to `to`. */
export function statusesBefore(to: AssignmentStatus): AssignmentStatus[] {
  return ASSIGNMENT_STATUSES.filter((from) => canTransition(from, to));
}

export function isFinal(status: AssignmentStatus): boolean {
  return NEXT[status].length === 0;
}

/**
 * `planned`: to be created (pending approval, or about to activate); `granted`: in force;
 * `merged`: not created because the request or the member already has it; `failed`: could not be
 * granted (the member left or was deactivated before activation); `rejected`: the approval said no
 * or expired.
 */
export const GRANT_OUTCOMES = ['planned', 'granted', 'merged', 'failed', 'rejected'] as const;
export type GrantOutcome = (typeof GRANT_OUTCOMES)[number];

export interface BundleOutcome {
  readonly bundleId: string;
  readonly outcome: GrantOutcome;
  readonly reason?: string;
  /** The entitlement created, for a planned, granted or rejected grant. */
  readonly entitlementId?: string;
}

/** One member reference of the request, in request order. */
export interface MemberRecord {
  readonly index: number;
  readonly member: string;
  readonly userId?: string;
  readonly bundles: readonly BundleOutcome[];
}

export interface AssignmentCounts {
  readonly members: number;
  readonly grants: number;
  readonly planned: number;
  readonly granted: number;
  readonly merged: number;
  readonly failed: number;
  readonly rejected: number;
}

export interface AssignmentTask {
  readonly tenantId: string;
  readonly assignmentId: string;
  readonly status: AssignmentStatus;
  readonly request: BatchAssignRequest;
  readonly requestedBy: string;
  readonly correlationId: string;
  /** When the POST was accepted: the start of the queue latency. */
  readonly acceptedAt: string;
  readonly risk?: RiskLevel;
  readonly approverRole?: 'security_approver' | 'tenant_admin';
  readonly requiresApproval?: boolean;
  readonly findings: readonly Finding[];
  readonly approvalChain: readonly ApprovalStep[];
  readonly counts: AssignmentCounts;
  readonly failureReason?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export const EMPTY_ASSIGNMENT_COUNTS: AssignmentCounts = {
  members: 0,
  grants: 0,
  planned: 0,
  granted: 0,
  merged: 0,
  failed: 0,
  rejected: 0,
};

/** An approval is needed when the rules say so, or the requester asked for one; never skipped. */
export function needsApproval(
  request: Pick<BatchAssignRequest, 'approval'>,
  assessment: Assessment,
): boolean {
  return assessment.requiresApproval || request.approval === 'required';
}

/** Emails compare case-insensitively; user ids exactly (as least-privilege.ts does). */
function referenceKey(reference: string): string {
  const trimmed = reference.trim();
  return trimmed.includes('@') ? trimmed.toLowerCase() : trimmed;
}

const MERGE_CODES = new Set(['ALREADY_HELD', 'ALREADY_PENDING']);

/**
 * Each member reference with what happens to each requested bundle, from an allowed assessment:
 * a member named twice (by the same reference or by id and email) is merged into the first
 * naming; a bundle named twice is one bundle; a bundle the member holds or has pending is merged
 * with the finding's message as reason. Everything else is planned.
 */
export function planMembers(
  request: Pick<BatchAssignRequest, 'members' | 'bundles'>,
  assessment: Pick<Assessment, 'grants' | 'findings'>,
  members: readonly MemberFacts[],
): MemberRecord[] {
  const userOf = new Map(members.map((facts) => [referenceKey(facts.reference), facts.user?.userId]));
  const planned = new Set(assessment.grants.map((grant) => `${grant.userId}\u0000${grant.bundleId}`));
  const mergeReason = new Map<string, string>();
  for (const finding of assessment.findings) {
    if (finding.member === undefined || finding.bundleId === undefined || !MERGE_CODES.has(finding.code))
      continue;
    mergeReason.set(`${referenceKey(finding.member)}\u0000${finding.bundleId}`, finding.message);
  }
  const bundles = [...new Set(request.bundles)];
  const firstNaming = new Map<string, string>();
  return request.members.map((member, index): MemberRecord => {
    const userId = userOf.get(referenceKey(member));
    const identity = userId ?? `reference:${referenceKey(member)}`;
    const first = firstNaming.get(identity);
    const base = { index, member, ...(userId === undefined ? {} : { userId }) };
    if (first !== undefined) {
      const reason =
        referenceKey(first) === referenceKey(member)
          ? `${member} is named more than once; granted once.`
          : `${member} is the same person as ${first}, named earlier; granted once.`;
      return { ...base, bundles: bundles.map((bundleId) => ({ bundleId, outcome: 'merged', reason })) };
    }
    firstNaming.set(identity, member);
    return {
      ...base,
      bundles: bundles.map((bundleId): BundleOutcome => {
        if (userId !== undefined && planned.has(`${userId}\u0000${bundleId}`))
          return { bundleId, outcome: 'planned' };
        const reason = mergeReason.get(`${referenceKey(member)}\u0000${bundleId}`);
        return { bundleId, outcome: 'merged', ...(reason === undefined ? {} : { reason }) };
      }),
    };
  });
}

export function countOutcomes(records: readonly MemberRecord[]): AssignmentCounts {
  const counts: Record<GrantOutcome, number> = { planned: 0, granted: 0, merged: 0, failed: 0, rejected: 0 };
  for (const record of records) for (const bundle of record.bundles) counts[bundle.outcome] += 1;
  return {
    members: records.length,
    grants: counts.planned + counts.granted + counts.failed + counts.rejected,
    ...counts,
  };
}

/** Failed grants over the grants the assignment tried to create (merged ones are not tries). */
export function failureRatio(counts: AssignmentCounts): number {
  return counts.grants === 0 ? 0 : counts.failed / counts.grants;
}

/** The final status once activation has run: any failed grant makes it COMPLETED_WITH_ERRORS. */
export function completionStatus(counts: AssignmentCounts): 'COMPLETED' | 'COMPLETED_WITH_ERRORS' {
  return counts.failed > 0 ? 'COMPLETED_WITH_ERRORS' : 'COMPLETED';
}

/**
 * A member's outcome in one word, for lists: the worst of its bundles' (failed, rejected, then
 * planned, granted), merged only when everything was merged.
 */
export function memberOutcome(record: MemberRecord): GrantOutcome {
  for (const outcome of ['failed', 'rejected', 'planned', 'granted'] as const) {
    if (record.bundles.some((bundle) => bundle.outcome === outcome)) return outcome;
  }
  return 'merged';
}
