import type { components } from '../../../clients/muster-api';
import { countOf } from './progress';

/** An approval, as the OpenAPI document declares `GET /internal/approvals` lists them. */
export type Approval = components['schemas']['Approval'];
export type ApprovalFinding = Approval['findings'][number];

export const MAX_JUSTIFICATION_LENGTH = 2000;

/**
 * Why a decision cannot be sent yet, checked before the server's 422: high risk needs a
 * justification (seed 001), and no justification may pass the stored limit.
 */
export function justificationProblem(risk: Approval['risk'], justification: string): string | undefined {
  const trimmed = justification.trim();
  if (trimmed.length > MAX_JUSTIFICATION_LENGTH) {
    return `Keep the justification under ${MAX_JUSTIFICATION_LENGTH.toLocaleString('en')} characters.`;
  }
  if (risk === 'high' && trimmed.length === 0) return 'A high-risk decision needs a justification.';
  return undefined;
}

/** What the approval is about, in words. */
export function describeSubject(subject: Approval['subject']): string {
  return subject.type === 'bulk_import'
    ? `Bulk import ${subject.taskId}, run ${subject.run}`
    : `Batch assignment ${subject.assignmentId}`;
}

/** The heading of an approval's findings; says so when the approval keeps fewer than there are. */
export function findingsHeading(approval: Pick<Approval, 'findings' | 'findingCount'>): string {
  const all = Math.max(approval.findingCount, approval.findings.length);
  if (all === 0) return 'No findings beyond the risk of what is granted';
  const heading = countOf(all, 'finding');
  return all > approval.findings.length
    ? `${heading} (the first ${approval.findings.length} shown)`
    : heading;
}

/** Who or what a finding is about: the member, the bundle, both, or the request as a whole. */
export function findingTarget(finding: ApprovalFinding): string {
  const parts = [finding.member, finding.bundleId].filter((part): part is string => part !== undefined);
  return parts.length > 0 ? parts.join(' · ') : 'the request';
}
