import { z } from 'zod';
import { approvalStepSchema } from '../../approvals/domain/approval-step';
import { FINDING_CODES, FINDING_SEVERITIES, type Finding } from './assignment';
import { ASSIGNMENT_STATUSES, type AssignmentCounts, GRANT_OUTCOMES } from './assignment-task';
import { RISK_LEVELS } from './bundle';

/**
 * What the batch-assign routes answer, published in the OpenAPI document so clients are typed by
 * it; the task's stored form (adapters/assignment-repository.ts) reads its findings and counts
 * through the same schemas.
 */
export const findingSchema = z.object({
  code: z.enum(FINDING_CODES),
  severity: z
    .enum(FINDING_SEVERITIES)
    .describe('blocking: refused while it stands; warning: raises the risk; merged: not granted twice.'),
  member: z.string().optional(),
  bundleId: z.string().optional(),
  message: z.string(),
  suggestion: z.string(),
}) satisfies z.ZodType<Finding>;

export const assignmentCountsSchema = z.object({
  members: z.number().int(),
  grants: z.number().int(),
  planned: z.number().int(),
  granted: z.number().int(),
  merged: z.number().int(),
  failed: z.number().int(),
  rejected: z.number().int(),
}) satisfies z.ZodType<AssignmentCounts>;

const approverRoleSchema = z.enum(['security_approver', 'tenant_admin']);

/** `POST …/batch-assign/validate`: the least-privilege assessment, nothing written. */
export const assessmentResponseSchema = z.object({
  risk: z.enum(RISK_LEVELS),
  requiresApproval: z.boolean(),
  approverRole: approverRoleSchema,
  findings: z.array(findingSchema).readonly(),
  grants: z.array(z.object({ userId: z.string(), member: z.string(), bundleId: z.string() })).readonly(),
  allowed: z.boolean(),
  merged: z.array(findingSchema).readonly(),
  suggestions: z.array(z.string()).readonly(),
});

/** `POST …/batch-assign`: the assignment started (202). */
export const assignmentStartedSchema = z.object({
  assignmentId: z.string(),
  status: z.enum(ASSIGNMENT_STATUSES),
});

/** `GET …/batch-assign/{assignmentId}`: status, counts, each member's outcome and the approval chain. */
export const assignmentViewSchema = z.object({
  assignmentId: z.string(),
  status: z.enum(ASSIGNMENT_STATUSES),
  risk: z.enum(RISK_LEVELS).optional(),
  requiresApproval: z.boolean().optional(),
  approverRole: approverRoleSchema.optional(),
  counts: assignmentCountsSchema,
  members: z
    .array(
      z.object({
        member: z.string(),
        userId: z.string().optional(),
        outcome: z.enum(GRANT_OUTCOMES),
        bundles: z
          .array(
            z.object({
              bundleId: z.string(),
              outcome: z.enum(GRANT_OUTCOMES),
              reason: z.string().optional(),
              entitlementId: z.string().optional(),
            }),
          )
          .readonly(),
      }),
    )
    .readonly(),
  approvalChain: z.array(approvalStepSchema).readonly(),
  findings: z.array(findingSchema).readonly(),
  failureReason: z.string().optional(),
  requestedBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type AssignmentView = z.infer<typeof assignmentViewSchema>;
