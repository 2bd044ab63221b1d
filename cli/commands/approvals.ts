import type { Invocation } from '../args';
import { type CommandContext, print } from '../context';
import { approvalsTable } from '../format';

/** `muster approvals list`: the approvals the caller may decide, all pages. */
export async function listApprovals(
  context: CommandContext,
  invocation: Extract<Invocation, { command: 'approvals-list' }>,
): Promise<number> {
  const approvals = await context.api.approvals(invocation.status);
  print(context, { items: approvals }, () =>
    approvals.length === 0
      ? `no ${invocation.status.toLowerCase()} approvals for you to decide`
      : approvalsTable(approvals),
  );
  return 0;
}

/** `muster approvals approve|reject <approvalId>`: the API says whether a justification is needed. */
export async function decideApproval(
  context: CommandContext,
  invocation: Extract<Invocation, { command: 'approvals-decide' }>,
): Promise<number> {
  const approval = await context.api.decide(
    invocation.approvalId,
    invocation.decision,
    invocation.justification,
  );
  print(context, approval, () => `approval ${approval.approvalId}: ${approval.status}`);
  return 0;
}
