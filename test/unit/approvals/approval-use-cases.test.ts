import { beforeEach, describe, expect, it } from 'vitest';
import type { ApprovalRepository } from '../../../functions/approvals/adapters/approval-repository';
import { type Approval, nextDueAt } from '../../../functions/approvals/domain/approval';
import type { SubjectFacts } from '../../../functions/approvals/domain/approval-subject';
import type { ApprovalDeps } from '../../../functions/approvals/use-cases/approval-effects';
import { decideApproval } from '../../../functions/approvals/use-cases/decide-approval';
import { startApproval } from '../../../functions/approvals/use-cases/start-approval';
import { sweepApprovals } from '../../../functions/approvals/use-cases/sweep-approvals';
import type { SweepScope } from '../../../functions/shared/aws/due-index';
import type { ResumeResult } from '../../../functions/shared/aws/workflow-callback';
import { AppError } from '../../../functions/shared/errors';
import type { DomainEvent } from '../../../functions/shared/events/domain-event';

const T0 = new Date('2026-03-02T09:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const subject = { type: 'bulk_import', taskId: 't_one', run: 1 } as const;
const request = (taskToken = 'token-1') => ({ tenantId: 'acme', correlationId: 'c-1', taskToken, subject });
const securityApprover = { tenantId: 'acme', userId: 'u_sec', roles: ['security_approver'] };

/** The repository's conditions, in memory: a replace wins only from the state it was judged in. */
class FakeApprovals
  implements Pick<ApprovalRepository, 'get' | 'create' | 'replace' | 'listByStatus' | 'listDue'>
{
  readonly items = new Map<string, Approval>();
  async get(_tenantId: string, approvalId: string) {
    return this.items.get(approvalId);
  }
  async create(approval: Approval) {
    const existing = this.items.get(approval.approvalId);
    if (existing) return { approval: existing, created: false };
    this.items.set(approval.approvalId, approval);
    return { approval, created: true };
  }
  async replace(current: Approval, next: Approval) {
    const stored = this.items.get(current.approvalId);
    const same =
      stored?.status === current.status &&
      stored.resumed === current.resumed &&
      stored.taskToken === current.taskToken &&
      stored.remindedAt === current.remindedAt &&
      stored.resumeClaimedAt === current.resumeClaimedAt;
    if (same) this.items.set(next.approvalId, next);
    return same;
  }
  async listByStatus() {
    return { items: [...this.items.values()] };
  }
  async listDue({ now, tenantId }: SweepScope) {
    return [...this.items.values()].filter((approval) => {
      const due = nextDueAt(approval);
      return (
        due !== undefined &&
        new Date(due) <= now &&
        (tenantId === undefined || approval.tenantId === tenantId)
      );
    });
  }
}

let approvals: FakeApprovals;
let events: DomainEvent[];
let mails: { to: string; subject: string }[];
let sent: { kind: 'success' | 'failure'; token: string; error?: string; payload: unknown }[];
let callbackAnswer: () => Promise<ResumeResult>;
let facts: SubjectFacts | undefined;
let clock: Date;
let overdueWaits: { approvalId: string; seconds: number }[];
let deps: ApprovalDeps;

beforeEach(() => {
  overdueWaits = [];
  approvals = new FakeApprovals();
  events = [];
  mails = [];
  sent = [];
  callbackAnswer = async () => 'resumed';
  facts = { risk: 'high', requestedBy: 'u_req', grants: 2, summary: 'two grants', awaitingApproval: true };
  clock = T0;
  deps = {
    approvals,
    describeSubject: async () => facts,
    callback: {
      sendSuccess: async (token, output) => {
        sent.push({ kind: 'success', token, payload: output });
        return callbackAnswer();
      },
      sendFailure: async (token, error, cause) => {
        sent.push({ kind: 'failure', token, error, payload: cause });
        return callbackAnswer();
      },
    },
    publish: async (published) => {
      events.push(...published);
    },
    roleHolders: async (_tenantId, role) =>
      role === 'security_approver'
        ? [
            { userId: 'u_sec', email: 'sec@acme.test' },
            { userId: 'u_req', email: 'req@acme.test' },
          ]
        : [],
    mailer: {
      send: async (mail) => {
        mails.push({ to: mail.to, subject: mail.subject });
      },
    },
    timers: { slaMinutes: 30, maxWaitHours: 72 },
    recordDecisionDuration: () => {},
    recordOverdueWait: (approval, seconds) => overdueWaits.push({ approvalId: approval.approvalId, seconds }),
    clock: () => clock,
  };
});

const codeOf = async (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: unknown) => (error instanceof AppError ? error.code : String(error)),
  );
const eventTypes = () => events.map((event) => event.detailType);

describe('startApproval', () => {
  it('opens one approval, announces it once and emails its approvers but not the requester', async () => {
    const approval = await startApproval(deps, request(), 'hand-over');
    expect(approval).toMatchObject({
      status: 'PENDING',
      approverRole: 'security_approver',
      taskToken: 'token-1',
    });
    expect(eventTypes()).toEqual(['iam.approval.requested']);
    expect(mails.map((mail) => mail.to)).toEqual(['sec@acme.test']);

    // A retried task brings a new token: the same approval takes it, nobody is told twice.
    const again = await startApproval(deps, request('token-2'), 'hand-over');
    expect(again.approvalId).toBe(approval.approvalId);
    expect(approvals.items.get(approval.approvalId)?.taskToken).toBe('token-2');
    expect(eventTypes()).toEqual(['iam.approval.requested']);
    expect(mails).toHaveLength(1);
  });

  it('resumes a redriven workflow at once with the recorded outcome', async () => {
    const approval = await startApproval(deps, request(), 'hand-over');
    await decideApproval(deps, securityApprover, approval.approvalId, {
      decision: 'REJECT',
      justification: 'No.',
    });
    sent = [];
    await startApproval(deps, request('token-redrive'), 'hand-over');
    expect(sent).toEqual([
      expect.objectContaining({ kind: 'failure', token: 'token-redrive', error: 'Approval.Rejected' }),
    ]);
    expect(approvals.items.get(approval.approvalId)).toMatchObject({
      taskToken: 'token-redrive',
      resumed: true,
    });
  });

  it('lets no one but the workflow task replace the token: the HTTP route gets 409 APPROVAL_EXISTS', async () => {
    const approval = await startApproval(deps, request(), 'refuse');
    expect(await codeOf(startApproval(deps, request('token-junk'), 'refuse'))).toBe('APPROVAL_EXISTS');
    expect(approvals.items.get(approval.approvalId)?.taskToken).toBe('token-1');
    // The same token again is the same start.
    expect((await startApproval(deps, request(), 'refuse')).approvalId).toBe(approval.approvalId);
    expect(eventTypes()).toEqual(['iam.approval.requested']);

    // Nor does a decided approval send its outcome to someone else's token.
    await decideApproval(deps, securityApprover, approval.approvalId, {
      decision: 'REJECT',
      justification: 'No.',
    });
    sent = [];
    expect(await codeOf(startApproval(deps, request('token-junk'), 'refuse'))).toBe('APPROVAL_EXISTS');
    expect(sent).toEqual([]);
  });

  it('announces an approval whose first start crashed before telling anyone, once', async () => {
    const publish = deps.publish;
    deps = {
      ...deps,
      publish: async () => {
        throw new Error('EventBridge unavailable');
      },
    };
    expect(await codeOf(startApproval(deps, request(), 'hand-over'))).toMatch(/unavailable/);
    const [created] = approvals.items.values();
    expect(created?.notifiedAt).toBeUndefined();
    expect(mails).toEqual([]);

    deps = { ...deps, publish };
    clock = at(1);
    const retried = await startApproval(deps, request('token-retry'), 'hand-over');
    expect(retried).toMatchObject({ taskToken: 'token-retry', notifiedAt: at(1).toISOString() });
    expect(approvals.items.get(retried.approvalId)?.notifiedAt).toBe(at(1).toISOString());
    expect(eventTypes()).toEqual(['iam.approval.requested']);
    expect(events[0]?.detail.eventId).toBe(`evt_${retried.approvalId}_requested`);
    expect(mails.map((mail) => mail.to)).toEqual(['sec@acme.test']);

    await startApproval(deps, request('token-again'), 'hand-over');
    expect(eventTypes()).toEqual(['iam.approval.requested']);
    expect(mails).toHaveLength(1);
  });

  it('sends no email while notify-transactional is off, and still announces the approval', async () => {
    const { mailer: _mailer, ...withoutMailer } = deps;
    const approval = await startApproval(withoutMailer, request(), 'hand-over');
    expect(eventTypes()).toEqual(['iam.approval.requested']);
    expect(mails).toEqual([]);
    expect(approvals.items.get(approval.approvalId)?.notifiedAt).toBeDefined();
  });

  it('refuses a subject its owner does not know (404) or that does not wait (409)', async () => {
    facts = undefined;
    expect(await codeOf(startApproval(deps, request(), 'hand-over'))).toBe('SUBJECT_NOT_FOUND');
    facts = { risk: 'low', requestedBy: 'u_req', grants: 1, summary: 's', awaitingApproval: false };
    expect(await codeOf(startApproval(deps, request(), 'hand-over'))).toBe('SUBJECT_NOT_AWAITING_APPROVAL');
    expect(approvals.items.size).toBe(0);
  });
});

describe('decideApproval', () => {
  it('records the decision, publishes it and resumes the workflow with the outcome', async () => {
    const { approvalId } = await startApproval(deps, request(), 'hand-over');
    clock = at(10);
    const decided = await decideApproval(deps, securityApprover, approvalId, {
      decision: 'APPROVE',
      justification: 'Fine.',
    });
    expect(decided).toMatchObject({ status: 'APPROVED', resumed: true });
    expect(sent).toEqual([
      {
        kind: 'success',
        token: 'token-1',
        payload: expect.objectContaining({
          approvalId,
          decision: 'APPROVED',
          decidedBy: 'u_sec',
          justification: 'Fine.',
        }),
      },
    ]);
    const decidedEvent = events.find((event) => event.detailType === 'iam.approval.decided');
    expect(decidedEvent?.detail.data).toMatchObject({ decision: 'APPROVED', durationSeconds: 600 });
    expect(
      await codeOf(
        decideApproval(deps, securityApprover, approvalId, { decision: 'APPROVE', justification: 'x' }),
      ),
    ).toBe('ALREADY_DECIDED');
  });

  it('refuses to decide (409 SUBJECT_NOT_WAITING) once the request ended without it, and records nothing', async () => {
    const { approvalId } = await startApproval(deps, request(), 'hand-over');
    facts = { risk: 'high', requestedBy: 'u_req', grants: 2, summary: 'two grants', awaitingApproval: false };
    expect(
      await codeOf(
        decideApproval(deps, securityApprover, approvalId, { decision: 'APPROVE', justification: 'x' }),
      ),
    ).toBe('SUBJECT_NOT_WAITING');
    expect(approvals.items.get(approvalId)?.status).toBe('PENDING');
    expect(sent).toEqual([]);
  });

  it('keeps a decision whose workflow no longer waits, and says so with a 409', async () => {
    const { approvalId } = await startApproval(deps, request(), 'hand-over');
    callbackAnswer = async () => 'not-waiting';
    expect(
      await codeOf(
        decideApproval(deps, securityApprover, approvalId, { decision: 'REJECT', justification: 'No.' }),
      ),
    ).toBe('WORKFLOW_NOT_WAITING');
    expect(approvals.items.get(approvalId)).toMatchObject({ status: 'REJECTED', resumed: true });
  });

  it('resumes the workflow when the same decision comes again after a failed callback', async () => {
    const { approvalId } = await startApproval(deps, request(), 'hand-over');
    callbackAnswer = async () => {
      throw new Error('Step Functions unavailable');
    };
    const decision = { decision: 'APPROVE', justification: 'Fine.' } as const;
    expect(await codeOf(decideApproval(deps, securityApprover, approvalId, decision))).toMatch(/unavailable/);
    expect(approvals.items.get(approvalId)).toMatchObject({ status: 'APPROVED', resumed: false });

    callbackAnswer = async () => 'resumed';
    expect(await decideApproval(deps, securityApprover, approvalId, decision)).toMatchObject({
      resumed: true,
    });
    expect(sent.filter((call) => call.kind === 'success')).toHaveLength(2);
    // The event was published twice under one id: consumers see one.
    const ids = events
      .filter((event) => event.detailType === 'iam.approval.decided')
      .map((event) => event.detail.eventId);
    expect(new Set(ids).size).toBe(1);
  });

  it('refuses an unknown approval with a 404', async () => {
    expect(await codeOf(decideApproval(deps, securityApprover, 'apr_nope', { decision: 'APPROVE' }))).toBe(
      'APPROVAL_NOT_FOUND',
    );
  });
});

describe('sweepApprovals', () => {
  it('reminds once past the SLA, then expires at the maximum wait and fails the workflow', async () => {
    const { approvalId } = await startApproval(deps, request(), 'hand-over');
    mails = [];
    expect(await sweepApprovals(deps, { now: at(29) })).toEqual({ reminded: 0, expired: 0, resumed: 0 });
    expect(await sweepApprovals(deps, { now: at(31) })).toEqual({ reminded: 1, expired: 0, resumed: 0 });
    expect(await sweepApprovals(deps, { now: at(45) })).toEqual({ reminded: 0, expired: 0, resumed: 0 });
    expect(overdueWaits).toEqual([{ approvalId, seconds: 31 * 60 }]); // once, when found past its SLA
    expect(events.filter((event) => event.detailType === 'iam.approval.escalated')).toHaveLength(1);
    expect(mails.map((mail) => mail.subject)).toEqual([
      expect.stringMatching(/^Reminder: approval waiting 31 minutes/),
      expect.stringMatching(/^Escalation/),
      expect.stringMatching(/^Escalation/),
    ]);

    expect(await sweepApprovals(deps, { now: at(72 * 60) })).toEqual({ reminded: 0, expired: 1, resumed: 0 });
    expect(approvals.items.get(approvalId)).toMatchObject({ status: 'EXPIRED', resumed: true });
    expect(sent).toEqual([expect.objectContaining({ kind: 'failure', error: 'Approval.Expired' })]);
    expect(events.at(-1)?.detail.data).toMatchObject({ decision: 'EXPIRED', durationSeconds: 72 * 3600 });
    expect(await sweepApprovals(deps, { now: at(73 * 60) })).toEqual({ reminded: 0, expired: 0, resumed: 0 });
  });

  it('closes, instead of reminding, an approval whose request ended without it', async () => {
    const { approvalId } = await startApproval(deps, request(), 'hand-over');
    facts = { risk: 'high', requestedBy: 'u_req', grants: 2, summary: 'two grants', awaitingApproval: false };
    mails = [];
    expect(await sweepApprovals(deps, { now: at(31) })).toEqual({ reminded: 0, expired: 1, resumed: 0 });
    expect(approvals.items.get(approvalId)?.status).toBe('EXPIRED');
    expect(mails).toEqual([]);
    expect(events.filter((event) => event.detailType === 'iam.approval.escalated')).toEqual([]);
  });

  it('handles every due approval even when one fails, then throws so the schedule retries', async () => {
    const failing = await startApproval(deps, request(), 'hand-over');
    const other = await startApproval(
      deps,
      { ...request('token-other'), subject: { ...subject, taskId: 't_two' } },
      'hand-over',
    );
    const publish = deps.publish;
    deps = {
      ...deps,
      publish: async (published) => {
        if (published.some((event) => event.detail.data.approvalId === failing.approvalId)) {
          throw new Error('EventBridge unavailable');
        }
        await publish(published);
      },
    };
    const run = sweepApprovals(deps, { now: at(72 * 60) });
    await expect(run).rejects.toThrow(AggregateError);
    await expect(run).rejects.toThrow('1 of 2 due approval(s) failed');
    expect(approvals.items.get(other.approvalId)).toMatchObject({ status: 'EXPIRED', resumed: true });
    // The failed one is recorded expired; its resumption is retried by a later run.
    expect(approvals.items.get(failing.approvalId)).toMatchObject({ status: 'EXPIRED', resumed: false });
    deps = { ...deps, publish };
    expect(await sweepApprovals(deps, { now: at(72 * 60 + 5) })).toEqual({
      reminded: 0,
      expired: 0,
      resumed: 1,
    });
    expect(approvals.items.get(failing.approvalId)?.resumed).toBe(true);
  });

  it('resumes a workflow once when two sweeps overlap, and again only after the claim lapses', async () => {
    const { approvalId } = await startApproval(deps, request(), 'hand-over');
    callbackAnswer = async () => {
      throw new Error('crash');
    };
    await codeOf(
      decideApproval(deps, securityApprover, approvalId, { decision: 'APPROVE', justification: 'ok' }),
    );
    sent = [];
    const results = await Promise.allSettled([
      sweepApprovals(deps, { now: at(5) }),
      sweepApprovals(deps, { now: at(5) }),
    ]);
    expect(sent).toHaveLength(1);
    expect(results.filter((result) => result.status === 'rejected')).toHaveLength(1);
    expect(approvals.items.get(approvalId)).toMatchObject({
      resumed: false,
      resumeClaimedAt: at(5).toISOString(),
    });

    callbackAnswer = async () => 'resumed';
    expect(await sweepApprovals(deps, { now: at(9) })).toEqual({ reminded: 0, expired: 0, resumed: 0 });
    expect(await sweepApprovals(deps, { now: at(10) })).toEqual({ reminded: 0, expired: 0, resumed: 1 });
    expect(sent).toHaveLength(2);
    expect(approvals.items.get(approvalId)?.resumed).toBe(true);
  });

  it('resumes a decided approval whose workflow was never told', async () => {
    const { approvalId } = await startApproval(deps, request(), 'hand-over');
    callbackAnswer = async () => {
      throw new Error('crash');
    };
    await codeOf(
      decideApproval(deps, securityApprover, approvalId, { decision: 'APPROVE', justification: 'ok' }),
    );
    callbackAnswer = async () => 'resumed';
    expect(await sweepApprovals(deps, { now: at(5) })).toEqual({ reminded: 0, expired: 0, resumed: 1 });
    expect(approvals.items.get(approvalId)?.resumed).toBe(true);
  });
});
