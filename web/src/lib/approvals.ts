/** An approval as `GET /internal/approvals` lists it (docs/api.md "Approvals"); no schema in the contract yet. */
export interface Approval {
  readonly approvalId: string;
  readonly subject:
    | { readonly type: 'bulk_import'; readonly taskId: string; readonly run: number }
    | { readonly type: 'batch_assign'; readonly assignmentId: string };
  readonly risk: 'low' | 'medium' | 'high';
  readonly approverRole: string;
  readonly requestedBy: string;
  readonly grants: number;
  readonly summary: string;
  readonly status: 'PENDING' | 'APPROVED' | 'REJECTED' | 'EXPIRED';
  readonly createdAt: string;
  readonly slaDueAt: string;
  readonly expiresAt: string;
  readonly decision?: {
    readonly decidedBy?: string;
    readonly decidedAt: string;
    readonly justification?: string;
  };
}

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
