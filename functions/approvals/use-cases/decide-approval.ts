import { ConflictError, NotFoundError } from '../../shared/errors';
import {
  type Approval,
  type Decider,
  type DecisionRequest,
  decide,
  isSameDecision,
} from '../domain/approval';
import { type ApprovalDeps, decidedEvent, durationSeconds, resumeWorkflow } from './approval-effects';

/**
 * `POST /internal/approvals/:approvalId/decision`. The decision is recorded first (a conditional
 * write from PENDING, so of two deciders one wins), its event published, and the waiting workflow
 * resumed last. A crash before the workflow is resumed leaves the approval decided but
 * `resumed: false`: the same decision sent again, or the next sweep, resumes it.
 */
export async function decideApproval(
  deps: ApprovalDeps,
  decider: Decider & { readonly tenantId: string },
  approvalId: string,
  request: DecisionRequest,
): Promise<Approval> {
  const found = await deps.approvals.get(decider.tenantId, approvalId);
  if (!found) throw new NotFoundError('APPROVAL_NOT_FOUND', `No approval ${approvalId} in this tenant.`);
  if (found.status === 'PENDING') {
    const facts = await deps.describeSubject(found.tenantId, found.subject);
    if (!facts?.awaitingApproval) {
      throw new ConflictError(
        'SUBJECT_NOT_WAITING',
        'The request this approval is for has ended without it (its workflow failed or timed out, and ' +
          'its grants were rejected): there is nothing left to decide. Ask the requester to request them again.',
      );
    }
  }

  let decided: Approval;
  if (!found.resumed && isSameDecision(found, decider, request)) {
    decided = found;
  } else {
    const { status, decision } = decide(found, decider, request, deps.clock());
    decided = { ...found, status, decision };
    if (!(await deps.approvals.replace(found, decided))) {
      // Someone else decided, the sweep expired it, or a new token came: judged again as it is now.
      const current = await deps.approvals.get(decider.tenantId, approvalId);
      if (!current)
        throw new NotFoundError('APPROVAL_NOT_FOUND', `No approval ${approvalId} in this tenant.`);
      if (current.status !== 'PENDING') decide(current, decider, request, deps.clock());
      throw new ConflictError('APPROVAL_BUSY', 'The approval changed while you decided it; retry.');
    }
    deps.recordDecisionDuration(decided, durationSeconds(decided));
  }
  await deps.publish([decidedEvent(decided)]);
  if ((await resumeWorkflow(deps, decided)) === 'not-waiting') {
    throw new ConflictError(
      'WORKFLOW_NOT_WAITING',
      `Your decision (${decided.status}) is recorded, but the workflow that asked no longer waits for it ` +
        '(it was stopped, or timed out). A stopped execution applies it when redriven; after a timeout ' +
        'the grants it asked for were rejected: request them again.',
    );
  }
  return { ...decided, resumed: true };
}
