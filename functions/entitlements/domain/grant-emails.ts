import type { AssignmentCounts, AssignmentStatus } from './assignment-task';

/**
 * The emails of batch assignments and grant expiry. Text and HTML carry the same words; every value
 * put into the HTML is escaped. They name bundles, scopes and dates, never other people.
 */
export interface EmailContent {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

function email(subject: string, lines: readonly string[]): EmailContent {
  return {
    subject,
    text: lines.join('\n\n'),
    html: lines.map((line) => `<p>${escapeHtml(line)}</p>`).join(''),
  };
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

function until(validUntil: string | undefined): string {
  return validUntil === undefined ? 'with no end date' : `until ${validUntil}`;
}

/** To a member: what they were granted. */
export function grantedEmail(input: {
  readonly bundles: readonly string[];
  readonly scope: string;
  readonly validUntil?: string;
}): EmailContent {
  return email('You have been granted new access', [
    `You have been granted ${input.bundles.join(', ')} in scope ${input.scope}, ${until(input.validUntil)}.`,
    'If you did not expect this access, tell your administrator.',
  ]);
}

/** To the requester: how their assignment ended. */
export function assignmentSummaryEmail(input: {
  readonly assignmentId: string;
  readonly status: AssignmentStatus;
  readonly counts: AssignmentCounts;
  readonly reason?: string;
}): EmailContent {
  const { counts } = input;
  return email(`Batch assignment ${input.assignmentId}: ${input.status}`, [
    `Your batch assignment ${input.assignmentId} finished as ${input.status}.`,
    `Granted: ${counts.granted}; merged with existing or duplicate grants: ${counts.merged}; failed: ${counts.failed}; rejected: ${counts.rejected}.`,
    ...(input.reason === undefined ? [] : [input.reason]),
    'Each member’s outcome is at GET /internal/iam/roles/batch-assign/{assignmentId}.',
  ]);
}

/** To the holder and the requester of a grant: it ends soon. */
export function expiringEmail(input: {
  readonly bundleId: string;
  readonly scope: string;
  readonly validUntil: string;
  readonly hours: number;
}): EmailContent {
  const when = input.hours % 24 === 0 ? `${input.hours / 24} day(s)` : `${input.hours} hour(s)`;
  return email(`Access ending in ${when}: ${input.bundleId}`, [
    `The grant of ${input.bundleId} in scope ${input.scope} ends at ${input.validUntil} (in about ${when}).`,
    'Ask your administrator to renew it if it is still needed; otherwise nothing needs doing.',
  ]);
}
