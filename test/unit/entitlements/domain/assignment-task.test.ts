import { describe, expect, it } from 'vitest';
import { activatedOutcome, activationStep } from '../../../../functions/entitlements/domain/activation';
import type { Assessment, Finding, MemberFacts } from '../../../../functions/entitlements/domain/assignment';
import {
  ASSIGNMENT_STATUSES,
  canTransition,
  completionStatus,
  countOutcomes,
  failureRatio,
  isFinal,
  type MemberRecord,
  memberOutcome,
  needsApproval,
  planMembers,
  statusesBefore,
} from '../../../../functions/entitlements/domain/assignment-task';
import type { Entitlement } from '../../../../functions/entitlements/domain/entitlement';

describe('assignment status transitions', () => {
  it('walk the workflow forward only', () => {
    expect(canTransition('QUEUED', 'VALIDATING')).toBe(true);
    expect(canTransition('VALIDATING', 'AWAITING_APPROVAL')).toBe(true);
    expect(canTransition('VALIDATING', 'ACTIVATING')).toBe(true);
    expect(canTransition('AWAITING_APPROVAL', 'ACTIVATING')).toBe(true);
    expect(canTransition('AWAITING_APPROVAL', 'REJECTED')).toBe(true);
    expect(canTransition('ACTIVATING', 'COMPLETED_WITH_ERRORS')).toBe(true);
    expect(canTransition('QUEUED', 'ACTIVATING')).toBe(false);
    expect(canTransition('ACTIVATING', 'REJECTED')).toBe(false);
    expect(canTransition('ACTIVATING', 'AWAITING_APPROVAL')).toBe(false);
  });

  it('end in final statuses, which nothing leaves', () => {
    const finals = ASSIGNMENT_STATUSES.filter(isFinal);
    expect(finals).toEqual(['COMPLETED', 'COMPLETED_WITH_ERRORS', 'REJECTED', 'FAILED']);
    for (const from of finals)
      for (const to of ASSIGNMENT_STATUSES) expect(canTransition(from, to)).toBe(false);
  });

  it('let every unfinished status fail', () => {
    expect(statusesBefore('FAILED')).toEqual(['QUEUED', 'VALIDATING', 'AWAITING_APPROVAL', 'ACTIVATING']);
    expect(statusesBefore('ACTIVATING')).toEqual(['VALIDATING', 'AWAITING_APPROVAL']);
  });
});

const assessment = (overrides: Partial<Assessment> = {}): Assessment => ({
  risk: 'low',
  requiresApproval: false,
  approverRole: 'tenant_admin',
  findings: [],
  grants: [],
  allowed: true,
  ...overrides,
});

describe('needsApproval', () => {
  it('follows the rules, and the requester may only add an approval', () => {
    expect(needsApproval({ approval: 'auto' }, assessment())).toBe(false);
    expect(needsApproval({ approval: 'required' }, assessment())).toBe(true);
    expect(needsApproval({ approval: 'auto' }, assessment({ requiresApproval: true }))).toBe(true);
  });
});

const member = (reference: string, userId?: string): MemberFacts =>
  userId === undefined
    ? { reference }
    : {
        reference,
        user: { userId, email: `${userId}@x.test`, status: 'ACTIVE', heldBundles: [], pendingBundles: [] },
      };

const held: Finding = {
  code: 'ALREADY_HELD',
  severity: 'merged',
  member: 'u_bob',
  bundleId: 'viewer',
  message: 'u_bob already holds viewer',
  suggestion: 'Nothing to do',
};

describe('planMembers', () => {
  const request = {
    members: ['ann@x.test', 'u_bob', 'ANN@x.test', 'u_ann'],
    bundles: ['viewer', 'editor', 'viewer'],
  };
  const facts = [member('ann@x.test', 'u_ann'), member('u_bob', 'u_bob'), member('u_ann', 'u_ann')];
  const records = planMembers(
    request,
    assessment({
      grants: [
        { userId: 'u_ann', member: 'ann@x.test', bundleId: 'viewer' },
        { userId: 'u_ann', member: 'ann@x.test', bundleId: 'editor' },
        { userId: 'u_bob', member: 'u_bob', bundleId: 'editor' },
      ],
      findings: [held],
    }),
    facts,
  );

  it('plans each distinct bundle once for the first naming of each member', () => {
    expect(records[0]).toEqual({
      index: 0,
      member: 'ann@x.test',
      userId: 'u_ann',
      bundles: [
        { bundleId: 'viewer', outcome: 'planned' },
        { bundleId: 'editor', outcome: 'planned' },
      ],
    });
  });

  it('merges a bundle the member holds, with the finding as the reason', () => {
    expect(records[1]?.bundles).toEqual([
      { bundleId: 'viewer', outcome: 'merged', reason: 'u_bob already holds viewer' },
      { bundleId: 'editor', outcome: 'planned' },
    ]);
  });

  it('merges a member named again, by the same reference or by id and email', () => {
    expect(records[2]?.bundles.every((bundle) => bundle.outcome === 'merged')).toBe(true);
    expect(records[2]?.bundles[0]?.reason).toMatch(/named more than once/);
    expect(records[3]?.bundles[0]?.reason).toMatch(/same person as ann@x.test/);
  });

  it('counts grants, merges and members', () => {
    expect(countOutcomes(records)).toEqual({
      members: 4,
      grants: 3,
      planned: 3,
      granted: 0,
      merged: 5,
      failed: 0,
      rejected: 0,
    });
  });
});

const record = (...outcomes: MemberRecord['bundles'][number]['outcome'][]): MemberRecord => ({
  index: 0,
  member: 'm',
  bundles: outcomes.map((outcome, index) => ({ bundleId: `b${index}`, outcome })),
});

describe('outcomes', () => {
  it('name a member by their worst bundle, merged only when all were', () => {
    expect(memberOutcome(record('granted', 'failed'))).toBe('failed');
    expect(memberOutcome(record('merged', 'granted'))).toBe('granted');
    expect(memberOutcome(record('rejected', 'merged'))).toBe('rejected');
    expect(memberOutcome(record('merged', 'merged'))).toBe('merged');
  });

  it('give the failure ratio over grants tried, and the final status', () => {
    const counts = countOutcomes([record('granted', 'failed', 'merged'), record('granted', 'granted')]);
    expect(failureRatio(counts)).toBe(0.25);
    expect(completionStatus(counts)).toBe('COMPLETED_WITH_ERRORS');
    const clean = countOutcomes([record('granted', 'merged')]);
    expect(completionStatus(clean)).toBe('COMPLETED');
    expect(failureRatio(countOutcomes([record('merged')]))).toBe(0);
  });
});

const NOW = new Date('2026-03-01T00:00:00.000Z');
const existing = (overrides: Partial<Entitlement>): Entitlement => ({
  tenantId: 't',
  entitlementId: 'ent_other',
  userId: 'u_ann',
  bundleId: 'viewer',
  scope: 'tenant',
  risk: 'low',
  validFrom: '2026-01-01T00:00:00.000Z',
  source: { type: 'direct' },
  status: 'ACTIVE',
  approvalChain: [],
  grantedBy: 'u_admin',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...overrides,
});
const active = { status: 'ACTIVE' };

describe('activationStep', () => {
  it('writes a grant nobody holds', () => {
    expect(activationStep('asg_1', undefined, active, NOW)).toEqual({ action: 'write' });
  });

  it('merges a grant in force from elsewhere instead of rewriting it', () => {
    expect(activationStep('asg_1', existing({}), active, NOW)).toMatchObject({ action: 'merge' });
  });

  it('writes again its own grant (a retry) and one that grants nothing now', () => {
    const ours = { type: 'batch_assign' as const, assignmentId: 'asg_1' };
    expect(activationStep('asg_1', existing({ source: ours }), active, NOW)).toEqual({ action: 'write' });
    expect(
      activationStep('asg_1', existing({ source: ours, status: 'PENDING_APPROVAL' }), active, NOW),
    ).toEqual({
      action: 'write',
    });
    expect(activationStep('asg_1', existing({ status: 'EXPIRED' }), active, NOW)).toEqual({
      action: 'write',
    });
    expect(
      activationStep('asg_1', existing({ validUntil: '2026-02-01T00:00:00.000Z' }), active, NOW),
    ).toEqual({ action: 'write' });
  });

  it('fails a grant to a member who left or was deactivated', () => {
    expect(activationStep('asg_1', undefined, undefined, NOW)).toMatchObject({ action: 'fail' });
    expect(activationStep('asg_1', undefined, { status: 'DEACTIVATED' }, NOW)).toMatchObject({
      action: 'fail',
      reason: expect.stringMatching(/deactivated/),
    });
  });

  it('turns into the bundle outcome', () => {
    const planned = { bundleId: 'viewer', outcome: 'planned' as const };
    expect(activatedOutcome(planned, { action: 'write' }, 'ent_1')).toEqual({
      bundleId: 'viewer',
      outcome: 'granted',
      entitlementId: 'ent_1',
    });
    expect(activatedOutcome(planned, { action: 'merge', reason: 'held' }, 'ent_1')).toEqual({
      bundleId: 'viewer',
      outcome: 'merged',
      reason: 'held',
    });
  });
});
