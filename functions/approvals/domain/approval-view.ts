import { z } from 'zod';
import { findingSchema } from '../../entitlements/domain/assignment-view';
import { RISK_LEVELS } from '../../entitlements/domain/bundle';
import { APPROVAL_STATUSES, type Approval } from './approval';
import { approvalSubjectSchema } from './approval-subject';

/**
 * An approval as the API shows it (`GET /internal/approvals`, the start and the decision): everything
 * but the workflow's token and the bookkeeping. The OpenAPI document publishes it as `Approval`.
 */
export const approvalViewSchema = z.object({
  approvalId: z.string(),
  tenantId: z.string(),
  subject: approvalSubjectSchema,
  risk: z.enum(RISK_LEVELS),
  approverRole: z.string(),
  requestedBy: z.string().describe('The userId of who asked for the grants; they may not decide them.'),
  grants: z.number().int(),
  summary: z.string().describe('What is granted to whom, in one line.'),
  note: z
    .string()
    .optional()
    .describe(
      "The requester's words for the approver: an import's approvalNote, an assignment's justification.",
    ),
  findings: z
    .array(findingSchema)
    .readonly()
    .describe("The least-privilege findings to weigh (at most 50; the assignment's own view has them all)."),
  findingCount: z.number().int().describe('How many findings the subject has, counting those not listed.'),
  status: z.enum(APPROVAL_STATUSES),
  createdAt: z.string(),
  slaDueAt: z.string(),
  expiresAt: z.string(),
  remindedAt: z.string().optional(),
  decision: z
    .object({
      decidedBy: z.string().optional().describe('Absent when the approval EXPIRED unanswered.'),
      decidedAt: z.string(),
      justification: z.string().optional(),
    })
    .optional(),
});
export type ApprovalView = z.infer<typeof approvalViewSchema>;

export function approvalView(approval: Approval): ApprovalView {
  const {
    taskToken: _token,
    resumed: _resumed,
    resumeClaimedAt: _claimed,
    notifiedAt: _notified,
    correlationId: _correlationId,
    ...view
  } = approval;
  return view;
}
