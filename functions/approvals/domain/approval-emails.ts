import type { Approval } from './approval';

/** An email's content; the use-case addresses it. */
export interface Mail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

function mail(subject: string, lines: readonly string[]): Mail {
  return {
    subject,
    text: lines.join('\n'),
    html: lines.map((line) => `<p>${escapeHtml(line)}</p>`).join(''),
  };
}

const decideHint = (approval: Approval) =>
  `Decide it with POST /internal/approvals/${approval.approvalId}/decision (APPROVE or REJECT${approval.risk === 'high' ? ', with a justification' : ''}).`;

/** To each approver when an approval opens. */
export function approvalRequestedEmail(approval: Approval): Mail {
  return mail(`Approval needed: ${approval.summary}`, [
    `An approval waits for you: ${approval.summary}.`,
    `Risk: ${approval.risk}. Grants: ${approval.grants}.`,
    `It is due by ${approval.slaDueAt} and expires unanswered at ${approval.expiresAt}, rejecting its grants.`,
    decideHint(approval),
  ]);
}

/** To each approver when an approval passes its SLA. */
export function approvalReminderEmail(approval: Approval, waitingMinutes: number): Mail {
  return mail(`Reminder: approval waiting ${waitingMinutes} minutes`, [
    `This approval has waited ${waitingMinutes} minutes: ${approval.summary}.`,
    `It expires unanswered at ${approval.expiresAt}, rejecting its grants.`,
    decideHint(approval),
  ]);
}

/** To the tenant's security approvers when an approval passes its SLA. */
export function approvalEscalationEmail(approval: Approval, waitingMinutes: number): Mail {
  return mail(`Escalation: approval ${approval.approvalId} pending past its SLA`, [
    `An approval for ${approval.approverRole} holders has waited ${waitingMinutes} minutes: ${approval.summary}.`,
    `Risk: ${approval.risk}. It expires unanswered at ${approval.expiresAt}.`,
    'Follow up with its approvers, or decide it if you hold its approver role.',
  ]);
}
