import { z } from 'zod';
import type { UserStatus } from '../../identity/domain/rbac';
import { BUNDLE_ID, type Bundle, type RiskLevel } from './bundle';

/**
 * A batch assignment request (seed 001): bundles for many members, within one scope, for one
 * window, with the requester's justification. Members are user ids (`u_…`) or emails.
 */
export const assignmentRequestSchema = z
  .object({
    scope: z
      .string()
      .trim()
      .regex(/^(tenant|[a-z]+:[A-Za-z0-9._-]{1,100})$/, 'Use "tenant" or "<kind>:<id>", e.g. project:atlas.')
      .default('tenant'),
    members: z.array(z.string().trim().min(1).max(320)).min(1).max(1000),
    bundles: z.array(z.string().regex(BUNDLE_ID)).min(1).max(20),
    validFrom: z.iso.datetime({ offset: true }).optional(),
    validUntil: z.iso.datetime({ offset: true }).optional(),
    justification: z.string().trim().max(2000).default(''),
  })
  .strict();
export type AssignmentRequest = z.infer<typeof assignmentRequestSchema>;

/** What the directory says about one member reference of the request. */
export interface MemberFacts {
  /** The reference as the request gave it (a user id or an email). */
  readonly reference: string;
  /** Absent when no user of the tenant matches the reference. */
  readonly user?: {
    readonly userId: string;
    readonly email: string;
    readonly status: UserStatus;
    readonly department?: string;
    readonly jobFamily?: string;
    /** Bundles the user holds in force in the request's scope, and those pending approval. */
    readonly heldBundles: readonly string[];
    readonly pendingBundles: readonly string[];
  };
}

/** How common a bundle is among a member's peers (same department and job family). */
export interface PeerUsage {
  /** Peers of the member (same department and job family), the member excluded. */
  readonly peers: number;
  /** How many of them hold the bundle in force. */
  readonly holders: number;
}

export const FINDING_CODES = [
  'UNKNOWN_MEMBER',
  'DEACTIVATED_MEMBER',
  'DUPLICATE_MEMBER',
  'UNKNOWN_BUNDLE',
  'DUPLICATE_BUNDLE',
  'ALREADY_HELD',
  'ALREADY_PENDING',
  'SOD_CONFLICT',
  'INVALID_WINDOW',
  'NO_END_DATE',
  'BEYOND_MAX_DURATION',
  'WIDER_THAN_PEERS',
  'SELF_GRANT',
  'JUSTIFICATION_REQUIRED',
] as const;
export type FindingCode = (typeof FINDING_CODES)[number];

/**
 * `blocking`: the assignment is refused while it stands (POST batch-assign answers 422);
 * `warning`: allowed, but raises the risk or goes to an approver's attention;
 * `merged`: a duplicate or already-held grant that is simply not created again.
 */
export const FINDING_SEVERITIES = ['blocking', 'warning', 'merged'] as const;
export type FindingSeverity = (typeof FINDING_SEVERITIES)[number];

export interface Finding {
  readonly code: FindingCode;
  readonly severity: FindingSeverity;
  /** The member reference concerned, when one is. */
  readonly member?: string;
  readonly bundleId?: string;
  readonly message: string;
  /** What the requester can do about it: "use the narrower bundle viewer", "end by 2026-12-31". */
  readonly suggestion: string;
}

/** One grant the assignment creates. */
export interface PlannedGrant {
  readonly userId: string;
  readonly member: string;
  readonly bundleId: string;
}

export interface Assessment {
  /** The highest risk of the bundles granted. */
  readonly risk: RiskLevel;
  /** High risk, or any finding a person must look at: the assignment waits for an approval. */
  readonly requiresApproval: boolean;
  /** Who decides: a security approver for high risk, otherwise a tenant admin. */
  readonly approverRole: 'security_approver' | 'tenant_admin';
  readonly findings: readonly Finding[];
  /** The grants to create: distinct (member, bundle) pairs, minus those merged. */
  readonly grants: readonly PlannedGrant[];
  /** No blocking finding. */
  readonly allowed: boolean;
}

export interface AssessmentInput {
  readonly requesterUserId: string;
  readonly request: AssignmentRequest;
  readonly members: readonly MemberFacts[];
  /** The tenant's bundles by id (every bundle named by the request or held by a member). */
  readonly bundles: ReadonlyMap<string, Bundle>;
  /** Peer usage of a bundle for a member's department and job family. */
  readonly peerUsage: (user: NonNullable<MemberFacts['user']>, bundleId: string) => PeerUsage;
  readonly now: Date;
}
