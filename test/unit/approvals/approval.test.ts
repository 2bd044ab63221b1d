import { describe, expect, it } from 'vitest';
import {
  type Approval,
  approvalIdFor,
  decide,
  decidingRoles,
  dueAction,
  failureErrorOf,
  isSameDecision,
  MAX_APPROVAL_FINDINGS,
  mayDecide,
  newApproval,
  nextDueAt,
  outcomeOf,
  RESUME_RETRY_MINUTES,
  waitingMinutes,
} from '../../../functions/approvals/domain/approval';
import type { SubjectFacts } from '../../../functions/approvals/domain/approval-subject';
import type { Finding, FindingSeverity } from '../../../functions/entitlements/domain/assignment';
import { AppError } from '../../../functions/shared/errors';

const NOW = new Date('2026-03-02T09:00:00.000Z');
const TIMERS = { slaMinutes: 30, maxWaitHours: 72 };
const facts = (risk: SubjectFacts['risk']): SubjectFacts => ({
  risk,
  requestedBy: 'u_requester',
  grants: 3,
  summary: 'Import t_x (run 1): 3 sensitive role grant(s)',
  awaitingApproval: true,
});
const subject = { type: 'bulk_import', taskId: 't_x', run: 1 } as const;
const approvalOf = (risk: SubjectFacts['risk'], changes: Partial<Approval> = {}): Approval => ({
  ...newApproval(
    { tenantId: 'acme', subject, correlationId: 'c-1', taskToken: 'tok', facts: facts(risk) },
    TIMERS,
    NOW,
  ),
  ...changes,
});
const securityApprover = { userId: 'u_sec', roles: ['security_approver'] };
const tenantAdmin = { userId: 'u_admin', roles: ['tenant_admin'] };
const minutesAfter = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);

function refusal(run: () => unknown): { kind: string; code: string } | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    if (error instanceof AppError) return { kind: error.kind, code: error.code };
    throw error;
  }
}

describe('newApproval', () => {
  const finding = (index: number, severity: FindingSeverity = 'warning'): Finding => ({
    code: severity === 'merged' ? 'DUPLICATE_MEMBER' : 'WIDER_THAN_PEERS',
    severity,
    member: `m${index}@acme.test`,
    message: `finding ${index}`,
    suggestion: 'narrower',
  });
  const open = (changes: Partial<SubjectFacts>) =>
    newApproval(
      {
        tenantId: 'acme',
        subject,
        correlationId: 'c-1',
        taskToken: 'tok',
        facts: { ...facts('high'), ...changes },
      },
      TIMERS,
      NOW,
    );

  it("carries the requester's note and the subject's findings to the approver", () => {
    const approval = open({ note: 'Starts Monday', findings: [finding(1)] });
    expect(approval).toMatchObject({ note: 'Starts Monday', findings: [finding(1)], findingCount: 1 });
  });

  it('has no note and no findings when the subject gave none', () => {
    const approval = open({});
    expect(approval).not.toHaveProperty('note');
    expect(approval).toMatchObject({ findings: [], findingCount: 0 });
  });

  it('keeps the first findings up to the limit and counts them all', () => {
    const all = Array.from({ length: MAX_APPROVAL_FINDINGS + 7 }, (_, index) => finding(index));
    const approval = open({ findings: all });
    expect(approval.findings).toEqual(all.slice(0, MAX_APPROVAL_FINDINGS));
    expect(approval.findingCount).toBe(MAX_APPROVAL_FINDINGS + 7);
  });

  it('keeps what an approver must weigh when merged findings alone would fill the limit', () => {
    const merged = Array.from({ length: MAX_APPROVAL_FINDINGS }, (_, index) => finding(index, 'merged'));
    const approval = open({
      findings: [...merged, finding(100, 'warning'), finding(101, 'blocking'), finding(102, 'warning')],
    });
    expect(approval.findings.slice(0, 3).map((kept) => [kept.severity, kept.message])).toEqual([
      ['blocking', 'finding 101'],
      ['warning', 'finding 100'],
      ['warning', 'finding 102'],
    ]);
    expect(approval.findings).toHaveLength(MAX_APPROVAL_FINDINGS);
    expect(approval.findings.slice(3)).toEqual(merged.slice(0, MAX_APPROVAL_FINDINGS - 3));
    expect(approval.findingCount).toBe(MAX_APPROVAL_FINDINGS + 3);
  });
});

describe('approvalIdFor', () => {
  it('is stable for a subject and apart for another subject, run or tenant', () => {
    const id = approvalIdFor('acme', subject);
    expect(id).toMatch(/^apr_[0-9a-f]{26}$/);
    expect(approvalIdFor('acme', { ...subject })).toBe(id);
    expect(approvalIdFor('acme', { ...subject, run: 2 })).not.toBe(id);
    expect(approvalIdFor('other', subject)).not.toBe(id);
    expect(approvalIdFor('acme', { type: 'batch_assign', assignmentId: 't_x' })).not.toBe(id);
  });
});

describe('newApproval', () => {
  it('routes high risk to a security approver and the rest to a tenant admin', () => {
    expect(approvalOf('high').approverRole).toBe('security_approver');
    expect(approvalOf('medium').approverRole).toBe('tenant_admin');
    expect(approvalOf('low').approverRole).toBe('tenant_admin');
  });

  it('is pending, due at its SLA and expiring after the maximum wait', () => {
    const approval = approvalOf('high');
    expect(approval).toMatchObject({
      status: 'PENDING',
      resumed: false,
      requestedBy: 'u_requester',
      createdAt: NOW.toISOString(),
      slaDueAt: minutesAfter(30).toISOString(),
      expiresAt: minutesAfter(72 * 60).toISOString(),
    });
    expect(approval.approvalId).toBe(approvalIdFor('acme', subject));
  });
});

describe('who decides', () => {
  const superuser = { userId: 'u_root', roles: ['superuser'] };
  const member = { userId: 'u_member', roles: ['member', 'operator'] };

  it('leaves high risk to security approvers and superusers', () => {
    expect(decidingRoles('high')).toEqual(['security_approver', 'superuser']);
    const approval = approvalOf('high');
    expect(mayDecide(approval, securityApprover)).toBe(true);
    expect(mayDecide(approval, superuser)).toBe(true);
    expect(mayDecide(approval, tenantAdmin)).toBe(false);
    expect(mayDecide(approval, member)).toBe(false);
  });

  it('lets a tenant admin, a security approver or a superuser decide a lower risk', () => {
    for (const risk of ['low', 'medium'] as const) {
      expect(decidingRoles(risk)).toEqual(['tenant_admin', 'security_approver', 'superuser']);
      const approval = approvalOf(risk);
      expect(mayDecide(approval, tenantAdmin)).toBe(true);
      expect(mayDecide(approval, securityApprover)).toBe(true);
      expect(mayDecide(approval, superuser)).toBe(true);
      expect(mayDecide(approval, member)).toBe(false);
    }
  });

  it('never lets the requester decide, whatever roles they hold', () => {
    const requester = { userId: 'u_requester', roles: ['security_approver', 'superuser'] };
    expect(mayDecide(approvalOf('high'), requester)).toBe(false);
    expect(mayDecide(approvalOf('low'), requester)).toBe(false);
  });
});

describe('decide', () => {
  const approve = { decision: 'APPROVE', justification: 'Needed for the audit.' } as const;

  it('refuses the requester first, whatever roles they hold', () => {
    expect(
      refusal(() =>
        decide(approvalOf('high'), { userId: 'u_requester', roles: ['security_approver'] }, approve, NOW),
      ),
    ).toEqual({ kind: 'FORBIDDEN', code: 'SELF_APPROVAL' });
  });

  it('refuses a caller without a deciding role, naming the roles that decide', () => {
    expect(refusal(() => decide(approvalOf('high'), tenantAdmin, approve, NOW))).toEqual({
      kind: 'FORBIDDEN',
      code: 'NOT_AN_APPROVER',
    });
    expect(() => decide(approvalOf('high'), tenantAdmin, approve, NOW)).toThrow(
      'security_approver, superuser may decide this high-risk approval',
    );
    expect(
      refusal(() => decide(approvalOf('low'), { userId: 'u_member', roles: ['member'] }, approve, NOW)),
    ).toEqual({ kind: 'FORBIDDEN', code: 'NOT_AN_APPROVER' });
  });

  it('lets a security approver decide a lower risk, and a superuser any', () => {
    expect(decide(approvalOf('medium'), securityApprover, approve, NOW).status).toBe('APPROVED');
    expect(decide(approvalOf('high'), { userId: 'u_root', roles: ['superuser'] }, approve, NOW).status).toBe(
      'APPROVED',
    );
  });

  it('refuses an approval decided already or expired, even one the sweep has not expired yet', () => {
    const decided = approvalOf('high', { status: 'APPROVED', decision: { decidedAt: NOW.toISOString() } });
    expect(refusal(() => decide(decided, securityApprover, approve, NOW))).toEqual({
      kind: 'CONFLICT',
      code: 'ALREADY_DECIDED',
    });
    const expired = approvalOf('high', { status: 'EXPIRED', decision: { decidedAt: NOW.toISOString() } });
    expect(refusal(() => decide(expired, securityApprover, approve, NOW))?.code).toBe('APPROVAL_EXPIRED');
    expect(
      refusal(() => decide(approvalOf('high'), securityApprover, approve, minutesAfter(72 * 60)))?.code,
    ).toBe('APPROVAL_EXPIRED');
  });

  it('requires a justification for high risk, blank counting as none', () => {
    for (const justification of [undefined, '', '   ']) {
      expect(
        refusal(() =>
          decide(approvalOf('high'), securityApprover, { decision: 'REJECT', justification }, NOW),
        ),
      ).toEqual({ kind: 'VALIDATION', code: 'JUSTIFICATION_REQUIRED' });
    }
  });

  it('records who decided, when, and the justification trimmed', () => {
    expect(
      decide(approvalOf('high'), securityApprover, { decision: 'APPROVE', justification: '  Audit.  ' }, NOW),
    ).toEqual({
      status: 'APPROVED',
      decision: { decidedBy: 'u_sec', decidedAt: NOW.toISOString(), justification: 'Audit.' },
    });
  });

  it('lets a lower risk go without justification', () => {
    expect(decide(approvalOf('medium'), tenantAdmin, { decision: 'REJECT' }, NOW)).toEqual({
      status: 'REJECTED',
      decision: { decidedBy: 'u_admin', decidedAt: NOW.toISOString() },
    });
  });
});

describe('isSameDecision', () => {
  it('recognises the decision already recorded by the same decider', () => {
    const approved = approvalOf('high', {
      status: 'APPROVED',
      decision: { decidedBy: 'u_sec', decidedAt: 'x' },
    });
    expect(isSameDecision(approved, securityApprover, { decision: 'APPROVE' })).toBe(true);
    expect(isSameDecision(approved, securityApprover, { decision: 'REJECT' })).toBe(false);
    expect(isSameDecision(approved, { userId: 'u_other', roles: [] }, { decision: 'APPROVE' })).toBe(false);
    expect(isSameDecision(approvalOf('high'), securityApprover, { decision: 'APPROVE' })).toBe(false);
  });
});

describe('timers', () => {
  it('is due at the SLA, then at the expiry once reminded, then only until its workflow is resumed', () => {
    const pending = approvalOf('high');
    expect(nextDueAt(pending)).toBe(pending.slaDueAt);
    const reminded = { ...pending, remindedAt: minutesAfter(31).toISOString() };
    expect(nextDueAt(reminded)).toBe(pending.expiresAt);
    const decided: Approval = {
      ...pending,
      status: 'REJECTED',
      decision: { decidedAt: minutesAfter(5).toISOString() },
    };
    // The decider resumes it first; the sweep only after one retry period.
    expect(nextDueAt(decided)).toBe(minutesAfter(5 + RESUME_RETRY_MINUTES).toISOString());
    const claimed = { ...decided, resumeClaimedAt: minutesAfter(20).toISOString() };
    expect(nextDueAt(claimed)).toBe(minutesAfter(20 + RESUME_RETRY_MINUTES).toISOString());
    expect(nextDueAt({ ...decided, resumed: true })).toBeUndefined();
  });

  it('tells the sweep what to do at a time', () => {
    const pending = approvalOf('high');
    expect(dueAction(pending, minutesAfter(29))).toBe('none');
    expect(dueAction(pending, minutesAfter(30))).toBe('remind');
    expect(dueAction({ ...pending, remindedAt: minutesAfter(30).toISOString() }, minutesAfter(60))).toBe(
      'none',
    );
    expect(dueAction(pending, minutesAfter(72 * 60))).toBe('expire');
    expect(dueAction({ ...pending, remindedAt: 'x' }, minutesAfter(72 * 60))).toBe('expire');
    const decided: Approval = { ...pending, status: 'APPROVED', decision: { decidedAt: NOW.toISOString() } };
    expect(dueAction(decided, minutesAfter(RESUME_RETRY_MINUTES - 1))).toBe('none');
    expect(dueAction(decided, minutesAfter(RESUME_RETRY_MINUTES))).toBe('resume');
    expect(dueAction(decided, minutesAfter(72 * 60))).toBe('resume');
    const claimed = { ...decided, resumeClaimedAt: minutesAfter(60).toISOString() };
    expect(dueAction(claimed, minutesAfter(61))).toBe('none');
    expect(dueAction(claimed, minutesAfter(60 + RESUME_RETRY_MINUTES))).toBe('resume');
    expect(dueAction({ ...decided, resumed: true }, minutesAfter(72 * 60))).toBe('none');
  });

  it('counts whole minutes waited', () => {
    expect(waitingMinutes(approvalOf('high'), new Date(NOW.getTime() + 31 * 60_000 - 1))).toBe(30);
    expect(waitingMinutes(approvalOf('high'), minutesAfter(31))).toBe(31);
  });
});

describe('outcomeOf', () => {
  it('gives the workflow the decision, and the failure its error name', () => {
    const rejected: Approval = {
      ...approvalOf('high'),
      status: 'REJECTED',
      decision: { decidedBy: 'u_sec', decidedAt: NOW.toISOString(), justification: 'No.' },
    };
    expect(outcomeOf(rejected)).toEqual({
      approvalId: rejected.approvalId,
      decision: 'REJECTED',
      decidedBy: 'u_sec',
      decidedAt: NOW.toISOString(),
      justification: 'No.',
      risk: 'high',
    });
    expect(failureErrorOf('REJECTED')).toBe('Approval.Rejected');
    expect(failureErrorOf('EXPIRED')).toBe('Approval.Expired');
    expect(failureErrorOf('APPROVED')).toBeUndefined();
    expect(() => outcomeOf(approvalOf('high'))).toThrow(/no outcome/);
  });
});
