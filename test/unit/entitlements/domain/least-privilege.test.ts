import { describe, expect, it } from 'vitest';
import {
  type Assessment,
  type AssessmentInput,
  assignmentRequestSchema,
  type FindingCode,
  type MemberFacts,
  type PeerUsage,
} from '../../../../functions/entitlements/domain/assignment';
import type { Bundle, BundleDefinition } from '../../../../functions/entitlements/domain/bundle';
import { assessAssignment } from '../../../../functions/entitlements/domain/least-privilege';
import type { UserStatus } from '../../../../functions/identity/domain/rbac';

const NOW = new Date('2025-06-01T12:00:00.000Z');
const DAY_MS = 86_400_000;
const REQUESTER = 'u_admin';

/** `NOW` moved by a number of days, as an ISO timestamp. */
const days = (count: number): string => new Date(NOW.getTime() + count * DAY_MS).toISOString();

function bundle(bundleId: string, overrides: Partial<BundleDefinition> = {}): Bundle {
  return {
    tenantId: 't_acme',
    bundleId,
    name: `Bundle ${bundleId}`,
    description: '',
    roles: [bundleId],
    permissions: [],
    risk: 'low',
    incompatibleWith: [],
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
    version: 1,
    ...overrides,
  };
}

interface UserOptions {
  readonly email?: string;
  readonly status?: UserStatus;
  readonly held?: readonly string[];
  readonly pending?: readonly string[];
  readonly reference?: string;
}

/** A member reference that resolves to a user; the reference is the user id unless given. */
function member(userId: string, options: UserOptions = {}): MemberFacts {
  return {
    reference: options.reference ?? userId,
    user: {
      userId,
      email: options.email ?? `${userId.slice(2)}@acme.test`,
      status: options.status ?? 'ACTIVE',
      department: 'finance',
      jobFamily: 'analyst',
      heldBundles: options.held ?? [],
      pendingBundles: options.pending ?? [],
    },
  };
}

/** A member reference no user matches. */
const stranger = (reference: string): MemberFacts => ({ reference });

interface Scenario {
  readonly members: readonly MemberFacts[];
  /** The request's member references; the members' references by default. */
  readonly references?: readonly string[];
  readonly bundles: readonly string[];
  readonly catalog?: readonly Bundle[];
  readonly requester?: string;
  readonly validFrom?: string;
  readonly validUntil?: string;
  readonly justification?: string;
  /** Peer usage by `userId/bundleId`; none by default. */
  readonly peers?: Readonly<Record<string, PeerUsage>>;
}

const DEFAULT_CATALOG = [bundle('viewer'), bundle('editor'), bundle('approver')];

function inputOf(scenario: Scenario): AssessmentInput {
  const catalog = scenario.catalog ?? DEFAULT_CATALOG;
  return {
    requesterUserId: scenario.requester ?? REQUESTER,
    request: assignmentRequestSchema.parse({
      members: scenario.references ?? scenario.members.map((facts) => facts.reference),
      bundles: scenario.bundles,
      validFrom: scenario.validFrom,
      validUntil: scenario.validUntil,
      justification: scenario.justification,
    }),
    members: scenario.members,
    bundles: new Map(catalog.map((entry) => [entry.bundleId, entry])),
    peerUsage: (user, bundleId) => scenario.peers?.[`${user.userId}/${bundleId}`] ?? { peers: 0, holders: 0 },
    now: NOW,
  };
}

const assess = (scenario: Scenario): Assessment => assessAssignment(inputOf(scenario));

/** Findings as `[member, bundle, code]`, with `-` where a finding names none. */
const summary = (assessment: Assessment): string[][] =>
  assessment.findings.map((finding) => [finding.member ?? '-', finding.bundleId ?? '-', finding.code]);

const codes = (assessment: Assessment): FindingCode[] => assessment.findings.map((finding) => finding.code);

const grantPairs = (assessment: Assessment): string[] =>
  assessment.grants.map((grant) => `${grant.member}:${grant.userId}/${grant.bundleId}`);

const only = (assessment: Assessment, code: FindingCode) => {
  const found = assessment.findings.filter((finding) => finding.code === code);
  expect(found).toHaveLength(1);
  const [finding] = found;
  if (!finding) throw new Error('unreachable');
  return finding;
};

describe('assessAssignment: a clean request', () => {
  it('grants every bundle to every member, members outer and bundles inner, with no findings', () => {
    const assessment = assess({ members: [member('u_ann'), member('u_bob')], bundles: ['viewer', 'editor'] });
    expect(assessment).toEqual({
      risk: 'low',
      requiresApproval: false,
      approverRole: 'tenant_admin',
      findings: [],
      grants: [
        { userId: 'u_ann', member: 'u_ann', bundleId: 'viewer' },
        { userId: 'u_ann', member: 'u_ann', bundleId: 'editor' },
        { userId: 'u_bob', member: 'u_bob', bundleId: 'viewer' },
        { userId: 'u_bob', member: 'u_bob', bundleId: 'editor' },
      ],
      allowed: true,
    });
  });

  it('keeps the reference the request gave (an email) on the grant, with the resolved user id', () => {
    const assessment = assess({
      members: [member('u_ann', { reference: 'ann@acme.test' })],
      bundles: ['viewer'],
    });
    expect(assessment.grants).toEqual([{ userId: 'u_ann', member: 'ann@acme.test', bundleId: 'viewer' }]);
  });

  it('grants to an invited user who has not activated yet', () => {
    const assessment = assess({ members: [member('u_ann', { status: 'INVITED' })], bundles: ['viewer'] });
    expect(assessment.allowed).toBe(true);
    expect(grantPairs(assessment)).toEqual(['u_ann:u_ann/viewer']);
  });

  it('does not modify its input and answers the same twice', () => {
    const input = inputOf({
      members: [member('u_ann', { held: ['editor'] }), member('u_ann')],
      bundles: ['viewer', 'editor', 'viewer'],
    });
    const snapshot = JSON.stringify({ request: input.request, members: input.members });
    const first = assessAssignment(input);
    expect(assessAssignment(input)).toEqual(first);
    expect(JSON.stringify({ request: input.request, members: input.members })).toBe(snapshot);
  });
});

describe('assessAssignment: members', () => {
  it('blocks a reference no user matches (UNKNOWN_MEMBER) and still plans the others', () => {
    const assessment = assess({
      members: [stranger('ghost@acme.test'), member('u_bob')],
      bundles: ['viewer'],
    });
    const finding = only(assessment, 'UNKNOWN_MEMBER');
    expect(finding).toMatchObject({ severity: 'blocking', member: 'ghost@acme.test' });
    expect(finding.bundleId).toBeUndefined();
    expect(finding.message).toContain('ghost@acme.test');
    expect(assessment.allowed).toBe(false);
    expect(grantPairs(assessment)).toEqual(['u_bob:u_bob/viewer']);
  });

  it('treats a request member the directory said nothing about as unknown', () => {
    const assessment = assess({
      members: [member('u_bob')],
      references: ['u_bob', 'u_nobody'],
      bundles: ['viewer'],
    });
    expect(summary(assessment)).toEqual([['u_nobody', '-', 'UNKNOWN_MEMBER']]);
  });

  it('blocks a deactivated user (DEACTIVATED_MEMBER), grants them nothing and checks none of their bundles', () => {
    const assessment = assess({
      members: [
        member('u_ann', { status: 'DEACTIVATED', held: ['viewer'], pending: ['editor'] }),
        member('u_bob'),
      ],
      catalog: [bundle('viewer'), bundle('editor', { incompatibleWith: ['viewer'] })],
      bundles: ['viewer', 'editor'],
      peers: { 'u_ann/viewer': { peers: 10, holders: 0 } },
    });
    expect(summary(assessment)).toEqual([
      ['u_ann', '-', 'DEACTIVATED_MEMBER'],
      ['u_bob', 'viewer', 'SOD_CONFLICT'],
    ]);
    expect(assessment.findings[0]?.severity).toBe('blocking');
    expect(grantPairs(assessment)).toEqual(['u_bob:u_bob/viewer', 'u_bob:u_bob/editor']);
  });

  it('merges the same user named by id and by email into one member (DUPLICATE_MEMBER)', () => {
    const assessment = assess({
      members: [member('u_ann'), member('u_ann', { reference: 'ann@acme.test' })],
      bundles: ['viewer'],
    });
    const finding = only(assessment, 'DUPLICATE_MEMBER');
    expect(finding).toMatchObject({ severity: 'merged', member: 'ann@acme.test' });
    expect(finding.message).toContain('u_ann');
    expect(assessment.allowed).toBe(true);
    expect(assessment.requiresApproval).toBe(false);
    expect(grantPairs(assessment)).toEqual(['u_ann:u_ann/viewer']);
  });

  it('compares emails case-insensitively, also when looking up what the directory said', () => {
    const assessment = assess({
      members: [member('u_ann', { reference: 'ann@acme.test' })],
      references: ['Ann@Acme.TEST', 'ann@acme.test'],
      bundles: ['viewer'],
    });
    expect(summary(assessment)).toEqual([['ann@acme.test', '-', 'DUPLICATE_MEMBER']]);
    expect(grantPairs(assessment)).toEqual(['Ann@Acme.TEST:u_ann/viewer']);
  });

  it('compares user ids exactly', () => {
    const assessment = assess({
      members: [member('u_ann')],
      references: ['u_ann', 'U_ANN'],
      bundles: ['viewer'],
    });
    expect(summary(assessment)).toEqual([['U_ANN', '-', 'UNKNOWN_MEMBER']]);
  });

  it('merges the exact same reference named twice', () => {
    const assessment = assess({
      members: [member('u_ann')],
      references: ['u_ann', 'u_ann'],
      bundles: ['viewer'],
    });
    expect(summary(assessment)).toEqual([['u_ann', '-', 'DUPLICATE_MEMBER']]);
    expect(assessment.findings[0]?.message).toMatch(/named more than once/);
    expect(grantPairs(assessment)).toEqual(['u_ann:u_ann/viewer']);
  });

  it('reports an unknown reference once, and its repetition as a duplicate', () => {
    const assessment = assess({
      members: [stranger('ghost@acme.test')],
      references: ['ghost@acme.test', 'GHOST@acme.test'],
      bundles: ['viewer'],
    });
    expect(summary(assessment)).toEqual([
      ['ghost@acme.test', '-', 'UNKNOWN_MEMBER'],
      ['GHOST@acme.test', '-', 'DUPLICATE_MEMBER'],
    ]);
  });

  it('reports a deactivated user named twice as deactivated once and duplicated once', () => {
    const assessment = assess({
      members: [member('u_ann', { status: 'DEACTIVATED' }), member('u_ann', { reference: 'ann@acme.test' })],
      bundles: ['viewer'],
    });
    expect(summary(assessment)).toEqual([
      ['u_ann', '-', 'DEACTIVATED_MEMBER'],
      ['ann@acme.test', '-', 'DUPLICATE_MEMBER'],
    ]);
    expect(assessment.grants).toEqual([]);
  });
});

describe('assessAssignment: self grants', () => {
  it('blocks the requester among the members (SELF_GRANT)', () => {
    const assessment = assess({ members: [member('u_ann'), member(REQUESTER)], bundles: ['viewer'] });
    const finding = only(assessment, 'SELF_GRANT');
    expect(finding).toMatchObject({ severity: 'blocking', member: REQUESTER });
    expect(assessment.allowed).toBe(false);
  });

  it('recognises the requester named by email', () => {
    const assessment = assess({
      members: [member(REQUESTER, { reference: 'admin@acme.test' })],
      bundles: ['viewer'],
    });
    expect(summary(assessment)).toEqual([['admin@acme.test', '-', 'SELF_GRANT']]);
  });

  it('reports a self grant once when the requester is named twice', () => {
    const assessment = assess({
      members: [member(REQUESTER), member(REQUESTER, { reference: 'admin@acme.test' })],
      bundles: ['viewer'],
    });
    expect(codes(assessment)).toEqual(['SELF_GRANT', 'DUPLICATE_MEMBER']);
  });
});

describe('assessAssignment: bundles', () => {
  it('blocks an unknown bundle (UNKNOWN_BUNDLE) and grants the known ones', () => {
    const assessment = assess({ members: [member('u_ann')], bundles: ['viewer', 'superpowers'] });
    const finding = only(assessment, 'UNKNOWN_BUNDLE');
    expect(finding).toMatchObject({ severity: 'blocking', bundleId: 'superpowers' });
    expect(finding.member).toBeUndefined();
    expect(finding.message).toContain('superpowers');
    expect(assessment.allowed).toBe(false);
    expect(grantPairs(assessment)).toEqual(['u_ann:u_ann/viewer']);
  });

  it('merges a bundle named twice (DUPLICATE_BUNDLE) into one grant per member', () => {
    const assessment = assess({
      members: [member('u_ann'), member('u_bob')],
      bundles: ['viewer', 'editor', 'viewer', 'viewer'],
    });
    const finding = only(assessment, 'DUPLICATE_BUNDLE');
    expect(finding).toMatchObject({ severity: 'merged', bundleId: 'viewer' });
    expect(finding.message).toContain('3 times');
    expect(assessment.allowed).toBe(true);
    expect(grantPairs(assessment)).toEqual([
      'u_ann:u_ann/viewer',
      'u_ann:u_ann/editor',
      'u_bob:u_bob/viewer',
      'u_bob:u_bob/editor',
    ]);
  });

  it('reports an unknown bundle named twice as unknown and duplicated', () => {
    const assessment = assess({ members: [member('u_ann')], bundles: ['nope', 'nope'] });
    expect(summary(assessment)).toEqual([
      ['-', 'nope', 'UNKNOWN_BUNDLE'],
      ['-', 'nope', 'DUPLICATE_BUNDLE'],
    ]);
    expect(assessment.grants).toEqual([]);
  });

  it('does not grant again a bundle the member holds (ALREADY_HELD)', () => {
    const assessment = assess({
      members: [member('u_ann', { held: ['viewer'] })],
      bundles: ['viewer', 'editor'],
    });
    const finding = only(assessment, 'ALREADY_HELD');
    expect(finding).toMatchObject({ severity: 'merged', member: 'u_ann', bundleId: 'viewer' });
    expect(assessment.allowed).toBe(true);
    expect(grantPairs(assessment)).toEqual(['u_ann:u_ann/editor']);
  });

  it('does not request again a bundle pending approval (ALREADY_PENDING)', () => {
    const assessment = assess({
      members: [member('u_ann', { pending: ['editor'] })],
      bundles: ['viewer', 'editor'],
    });
    const finding = only(assessment, 'ALREADY_PENDING');
    expect(finding).toMatchObject({ severity: 'merged', member: 'u_ann', bundleId: 'editor' });
    expect(grantPairs(assessment)).toEqual(['u_ann:u_ann/viewer']);
  });

  it('says held rather than pending when a bundle is both', () => {
    const assessment = assess({
      members: [member('u_ann', { held: ['viewer'], pending: ['viewer'] })],
      bundles: ['viewer'],
    });
    expect(codes(assessment)).toEqual(['ALREADY_HELD']);
    expect(assessment.grants).toEqual([]);
  });

  it('merges duplicate members, duplicate bundles and held bundles together, granting each pair at most once', () => {
    const assessment = assess({
      members: [
        member('u_ann', { held: ['viewer'] }),
        member('u_bob', { pending: ['editor'] }),
        member('u_ann', { reference: 'ann@acme.test', held: ['viewer'] }),
      ],
      bundles: ['viewer', 'editor', 'viewer', 'editor'],
    });
    expect(summary(assessment)).toEqual([
      ['-', 'viewer', 'DUPLICATE_BUNDLE'],
      ['-', 'editor', 'DUPLICATE_BUNDLE'],
      ['u_ann', 'viewer', 'ALREADY_HELD'],
      ['u_bob', 'editor', 'ALREADY_PENDING'],
      ['ann@acme.test', '-', 'DUPLICATE_MEMBER'],
    ]);
    expect(assessment.findings.every((finding) => finding.severity === 'merged')).toBe(true);
    expect(assessment.allowed).toBe(true);
    expect(assessment.requiresApproval).toBe(false);
    expect(grantPairs(assessment)).toEqual(['u_ann:u_ann/editor', 'u_bob:u_bob/viewer']);
  });
});

describe('assessAssignment: separation of duties', () => {
  const payer = bundle('payer', { risk: 'medium' });
  const auditor = bundle('auditor', { risk: 'medium', incompatibleWith: ['payer'] });

  it.each([
    ['declared on the later bundle', [payer, auditor], ['payer', 'auditor']],
    ['declared on the earlier bundle', [payer, auditor], ['auditor', 'payer']],
  ])(
    'blocks two requested bundles that exclude each other (%s), once per member',
    (_, catalog, requested) => {
      const assessment = assess({ members: [member('u_ann'), member('u_bob')], catalog, bundles: requested });
      const [first] = requested;
      expect(summary(assessment)).toEqual([
        ['u_ann', first, 'SOD_CONFLICT'],
        ['u_bob', first, 'SOD_CONFLICT'],
      ]);
      const finding = assessment.findings[0];
      expect(finding?.severity).toBe('blocking');
      expect(finding?.message).toContain('"Bundle payer" (payer)');
      expect(finding?.message).toContain('"Bundle auditor" (auditor)');
      expect(finding?.suggestion).toMatch(/only one of/);
      expect(assessment.allowed).toBe(false);
    },
  );

  it('blocks a requested bundle that conflicts with one the member holds, whichever side declares it', () => {
    const fromHeldSide = assess({
      members: [member('u_ann', { held: ['auditor'] }), member('u_bob')],
      catalog: [payer, auditor],
      bundles: ['payer'],
    });
    expect(summary(fromHeldSide)).toEqual([['u_ann', 'payer', 'SOD_CONFLICT']]);
    expect(fromHeldSide.findings[0]?.message).toMatch(/already holds/);
    expect(fromHeldSide.findings[0]?.message).toContain('auditor');
    expect(fromHeldSide.findings[0]?.suggestion).toMatch(/revoke "Bundle auditor" \(auditor\) first/);

    const fromRequestedSide = assess({
      members: [member('u_ann', { held: ['payer'] })],
      catalog: [payer, auditor],
      bundles: ['auditor'],
    });
    expect(summary(fromRequestedSide)).toEqual([['u_ann', 'auditor', 'SOD_CONFLICT']]);
  });

  it('blocks a requested bundle that conflicts with one pending approval', () => {
    const assessment = assess({
      members: [member('u_ann', { pending: ['payer'] })],
      catalog: [payer, auditor],
      bundles: ['auditor'],
    });
    expect(summary(assessment)).toEqual([['u_ann', 'auditor', 'SOD_CONFLICT']]);
    expect(assessment.findings[0]?.message).toMatch(/pending approval/);
  });

  it('still sees a conflict with a held bundle the tenant no longer defines', () => {
    const assessment = assess({
      members: [member('u_ann', { held: ['legacy_pay'] })],
      catalog: [bundle('auditor', { incompatibleWith: ['legacy_pay'] })],
      bundles: ['auditor'],
    });
    expect(summary(assessment)).toEqual([['u_ann', 'auditor', 'SOD_CONFLICT']]);
  });

  it('reports a conflict between a held bundle requested again and a new one once, next to the merge', () => {
    const assessment = assess({
      members: [member('u_ann', { held: ['payer'] })],
      catalog: [payer, auditor],
      bundles: ['payer', 'auditor'],
    });
    expect(summary(assessment)).toEqual([
      ['u_ann', 'payer', 'ALREADY_HELD'],
      ['u_ann', 'auditor', 'SOD_CONFLICT'],
    ]);
    expect(grantPairs(assessment)).toEqual(['u_ann:u_ann/auditor']);
  });

  it('names every bundle a new one conflicts with, in request, held, pending order', () => {
    const assessment = assess({
      members: [member('u_ann', { held: ['h_one'], pending: ['p_one'] })],
      catalog: [
        bundle('wide', { incompatibleWith: ['h_one', 'p_one', 'narrow'] }),
        bundle('narrow'),
        bundle('h_one'),
        bundle('p_one'),
      ],
      bundles: ['wide', 'narrow'],
    });
    expect(summary(assessment)).toEqual([
      ['u_ann', 'wide', 'SOD_CONFLICT'],
      ['u_ann', 'wide', 'SOD_CONFLICT'],
      ['u_ann', 'wide', 'SOD_CONFLICT'],
    ]);
    const others = assessment.findings.map((finding) => finding.message.match(/and "Bundle (\w+)"/)?.[1]);
    expect(others).toEqual(['narrow', 'h_one', 'p_one']);
  });

  it('says nothing about a conflict the member already lives with when nothing new is granted', () => {
    const assessment = assess({
      members: [member('u_ann', { held: ['payer', 'auditor'] })],
      catalog: [payer, auditor],
      bundles: ['payer'],
    });
    expect(codes(assessment)).toEqual(['ALREADY_HELD']);
    expect(assessment.allowed).toBe(true);
  });

  it('names a conflicting bundle once when the member both holds it and has it pending', () => {
    const assessment = assess({
      members: [member('u_ann', { held: ['payer'], pending: ['payer'] })],
      catalog: [payer, auditor],
      bundles: ['auditor'],
    });
    expect(summary(assessment)).toEqual([['u_ann', 'auditor', 'SOD_CONFLICT']]);
    expect(assessment.findings[0]?.message).toMatch(/already holds/);
  });

  it('ignores a bundle declared incompatible with itself, and compatible bundles', () => {
    const assessment = assess({
      members: [member('u_ann', { held: ['editor'] })],
      catalog: [bundle('viewer', { incompatibleWith: ['viewer', 'approver'] }), bundle('editor')],
      bundles: ['viewer'],
    });
    expect(assessment.findings).toEqual([]);
  });
});

describe('assessAssignment: the window', () => {
  it.each([
    ['ends when it starts', { validFrom: days(1), validUntil: days(1) }],
    ['ends before it starts', { validFrom: days(10), validUntil: days(5) }],
    ['ends before now, starting now by default', { validUntil: days(-1) }],
    ['ends exactly now', { validFrom: days(-1), validUntil: NOW.toISOString() }],
    ['ends in the past after a back-dated start', { validFrom: days(-30), validUntil: days(-1) }],
  ])('blocks a window that %s (INVALID_WINDOW)', (_, window) => {
    const assessment = assess({ members: [member('u_ann')], bundles: ['viewer'], ...window });
    expect(summary(assessment)).toEqual([['-', '-', 'INVALID_WINDOW']]);
    expect(assessment.findings[0]?.severity).toBe('blocking');
    expect(assessment.allowed).toBe(false);
  });

  it('accepts a window that starts now by default and ends in the future', () => {
    expect(assess({ members: [member('u_ann')], bundles: ['viewer'], validUntil: days(1) }).findings).toEqual(
      [],
    );
  });

  it('accepts a window with an offset other than UTC', () => {
    const assessment = assess({
      members: [member('u_ann')],
      bundles: ['viewer'],
      validFrom: '2025-06-02T08:00:00+08:00',
      validUntil: '2025-06-02T01:00:00Z',
    });
    expect(assessment.findings).toEqual([]);
  });

  it('reports only the invalid window, not the durations measured against it', () => {
    const assessment = assess({
      members: [member('u_ann')],
      catalog: [bundle('viewer', { maxDurationDays: 1 })],
      bundles: ['viewer'],
      validFrom: days(-30),
      validUntil: days(-1),
    });
    expect(codes(assessment)).toEqual(['INVALID_WINDOW']);
  });

  it('blocks a high-risk bundle without an end date (NO_END_DATE), suggesting 90 days from now', () => {
    const assessment = assess({
      members: [member('u_ann')],
      catalog: [bundle('root', { risk: 'high' })],
      bundles: ['root'],
      justification: 'Incident response rota',
    });
    const finding = only(assessment, 'NO_END_DATE');
    expect(finding).toMatchObject({ severity: 'blocking', bundleId: 'root' });
    expect(finding.suggestion).toContain('2025-08-30');
    expect(assessment.allowed).toBe(false);
  });

  it("suggests the bundle's own maximum, counted from validFrom, for an open-ended high-risk bundle", () => {
    const assessment = assess({
      members: [member('u_ann')],
      catalog: [bundle('root', { risk: 'high', maxDurationDays: 14 })],
      bundles: ['root'],
      validFrom: '2025-07-01T00:00:00Z',
      justification: 'Quarter close',
    });
    expect(codes(assessment)).toEqual(['NO_END_DATE']);
    expect(assessment.findings[0]?.suggestion).toContain('2025-07-15');
  });

  it.each(['low', 'medium'] as const)('lets a %s-risk bundle with no maximum be open-ended', (risk) => {
    const assessment = assess({
      members: [member('u_ann')],
      catalog: [bundle('viewer', { risk })],
      bundles: ['viewer'],
    });
    expect(assessment.findings).toEqual([]);
  });

  it.each(['low', 'medium', 'high'] as const)(
    'blocks a %s-risk grant longer than the maximum (BEYOND_MAX_DURATION), suggesting the latest end date',
    (risk) => {
      const assessment = assess({
        members: [member('u_ann')],
        catalog: [bundle('ops', { risk, maxDurationDays: 30 })],
        bundles: ['ops'],
        validFrom: '2025-06-10T00:00:00Z',
        validUntil: '2025-07-10T00:00:01Z',
        justification: 'On call',
      });
      const finding = only(assessment, 'BEYOND_MAX_DURATION');
      expect(finding).toMatchObject({ severity: 'blocking', bundleId: 'ops' });
      expect(finding.message).toContain('30 days');
      expect(finding.suggestion).toContain('2025-07-10');
      expect(assessment.allowed).toBe(false);
    },
  );

  it('accepts a grant of exactly the maximum duration', () => {
    const assessment = assess({
      members: [member('u_ann')],
      catalog: [bundle('ops', { maxDurationDays: 30 })],
      bundles: ['ops'],
      validFrom: '2025-06-10T00:00:00Z',
      validUntil: '2025-07-10T00:00:00Z',
    });
    expect(assessment.findings).toEqual([]);
  });

  it('blocks an open-ended grant of a bundle with a maximum, below high risk, as beyond the maximum', () => {
    const assessment = assess({
      members: [member('u_ann')],
      catalog: [bundle('ops', { risk: 'medium', maxDurationDays: 7 })],
      bundles: ['ops'],
    });
    expect(codes(assessment)).toEqual(['BEYOND_MAX_DURATION']);
    expect(assessment.findings[0]?.message).toMatch(/no end date/);
    expect(assessment.findings[0]?.suggestion).toContain('2025-06-08');
  });

  it('measures each bundle against its own maximum', () => {
    const assessment = assess({
      members: [member('u_ann')],
      catalog: [
        bundle('short', { maxDurationDays: 7 }),
        bundle('long', { maxDurationDays: 60 }),
        bundle('free'),
      ],
      bundles: ['free', 'long', 'short'],
      validUntil: days(30),
    });
    expect(summary(assessment)).toEqual([['-', 'short', 'BEYOND_MAX_DURATION']]);
  });

  it('checks the window only for bundles somebody is actually granted', () => {
    const assessment = assess({
      members: [member('u_ann', { held: ['root'] }), member('u_bob', { status: 'DEACTIVATED' })],
      catalog: [bundle('root', { risk: 'high', maxDurationDays: 5 })],
      bundles: ['root'],
    });
    expect(codes(assessment)).toEqual(['ALREADY_HELD', 'DEACTIVATED_MEMBER']);
  });
});

describe('assessAssignment: peers', () => {
  const admin = bundle('fin_admin', {
    risk: 'high',
    roles: ['fin_admin'],
    permissions: ['users.read', 'audit.read', 'approvals.decide'],
  });
  const reader = bundle('fin_reader', { risk: 'low', roles: [], permissions: ['users.read', 'audit.read'] });
  const auditOnly = bundle('fin_audit', { risk: 'medium', roles: [], permissions: ['audit.read'] });
  const sameRisk = bundle('fin_power', { risk: 'high', roles: [], permissions: ['users.read'] });
  const notSubset = bundle('fin_other', {
    risk: 'low',
    roles: [],
    permissions: ['users.read', 'bundles.manage'],
  });
  const sameContents = bundle('fin_clone', {
    risk: 'low',
    roles: ['fin_admin'],
    permissions: ['users.read', 'audit.read', 'approvals.decide'],
  });
  const catalog = [admin, reader, auditOnly, sameRisk, notSubset, sameContents];
  const request = {
    members: [member('u_ann')],
    catalog,
    bundles: ['fin_admin'],
    validUntil: days(30),
    justification: 'Month-end close',
  };

  it.each([
    [5, 0, true],
    [10, 1, true],
    [20, 3, true],
    [5, 1, false],
    [10, 2, false],
    [4, 0, false],
    [0, 0, false],
  ])('with %i peers of whom %i hold the bundle, warns: %s', (peers, holders, warns) => {
    const assessment = assess({ ...request, peers: { 'u_ann/fin_admin': { peers, holders } } });
    expect(codes(assessment).includes('WIDER_THAN_PEERS')).toBe(warns);
  });

  it('warns (WIDER_THAN_PEERS) with the figures and requires approval, without blocking', () => {
    const assessment = assess({
      members: [member('u_ann')],
      bundles: ['viewer'],
      peers: { 'u_ann/viewer': { peers: 12, holders: 1 } },
    });
    const finding = only(assessment, 'WIDER_THAN_PEERS');
    expect(finding).toMatchObject({ severity: 'warning', member: 'u_ann', bundleId: 'viewer' });
    expect(finding.message).toContain('1 of');
    expect(finding.message).toContain('12 peers (8%)');
    expect(finding.suggestion).toMatch(/^Ask whether u_ann really needs/);
    expect(assessment).toMatchObject({
      allowed: true,
      requiresApproval: true,
      risk: 'low',
      approverRole: 'tenant_admin',
    });
    expect(grantPairs(assessment)).toEqual(['u_ann:u_ann/viewer']);
  });

  it('suggests the narrower, lower-risk bundle most peers hold', () => {
    const assessment = assess({
      ...request,
      peers: {
        'u_ann/fin_admin': { peers: 10, holders: 0 },
        'u_ann/fin_reader': { peers: 10, holders: 3 },
        'u_ann/fin_audit': { peers: 10, holders: 6 },
        // Commoner, but not narrower and lower risk:
        'u_ann/fin_power': { peers: 10, holders: 9 },
        'u_ann/fin_other': { peers: 10, holders: 9 },
        'u_ann/fin_clone': { peers: 10, holders: 9 },
      },
    });
    const finding = only(assessment, 'WIDER_THAN_PEERS');
    expect(finding.suggestion).toMatch(/^Grant the narrower "Bundle fin_audit" \(fin_audit\) instead/);
    expect(finding.suggestion).toContain('6 of 10 peers');
  });

  it('skips narrower bundles that fewer than 20% of peers hold', () => {
    const assessment = assess({
      ...request,
      peers: {
        'u_ann/fin_admin': { peers: 10, holders: 0 },
        'u_ann/fin_reader': { peers: 10, holders: 1 },
        'u_ann/fin_audit': { peers: 10, holders: 2 },
      },
    });
    expect(only(assessment, 'WIDER_THAN_PEERS').suggestion).toContain('fin_audit');

    const noneCommon = assess({
      ...request,
      peers: {
        'u_ann/fin_admin': { peers: 10, holders: 0 },
        'u_ann/fin_reader': { peers: 10, holders: 1 },
        'u_ann/fin_audit': { peers: 10, holders: 1 },
      },
    });
    expect(only(noneCommon, 'WIDER_THAN_PEERS').suggestion).toMatch(/^Ask whether u_ann really needs/);
  });

  it('breaks a tie between narrower bundles by the smaller one', () => {
    const assessment = assess({
      ...request,
      peers: {
        'u_ann/fin_admin': { peers: 10, holders: 0 },
        'u_ann/fin_reader': { peers: 10, holders: 4 },
        'u_ann/fin_audit': { peers: 10, holders: 4 },
      },
    });
    expect(only(assessment, 'WIDER_THAN_PEERS').suggestion).toContain('fin_audit');
  });

  it('points at a narrower bundle the member already holds', () => {
    const assessment = assess({
      ...request,
      members: [member('u_ann', { held: ['fin_reader'] })],
      peers: {
        'u_ann/fin_admin': { peers: 10, holders: 1 },
        'u_ann/fin_reader': { peers: 10, holders: 7 },
      },
    });
    expect(only(assessment, 'WIDER_THAN_PEERS').suggestion).toMatch(/^u_ann already holds the narrower/);
  });

  it('compares each member with their own peers and skips bundles not granted', () => {
    const assessment = assess({
      members: [member('u_ann'), member('u_bob', { held: ['viewer'] }), member('u_cid')],
      bundles: ['viewer'],
      peers: {
        'u_ann/viewer': { peers: 10, holders: 5 },
        'u_bob/viewer': { peers: 10, holders: 0 },
        'u_cid/viewer': { peers: 10, holders: 0 },
      },
    });
    expect(summary(assessment)).toEqual([
      ['u_bob', 'viewer', 'ALREADY_HELD'],
      ['u_cid', 'viewer', 'WIDER_THAN_PEERS'],
    ]);
  });
});

describe('assessAssignment: justification', () => {
  const root = bundle('root', { risk: 'high' });
  const base = { members: [member('u_ann')], catalog: [root, bundle('viewer')], validUntil: days(30) };

  it.each(['', '   '])(
    'blocks a high-risk grant with justification %j (JUSTIFICATION_REQUIRED)',
    (justification) => {
      const assessment = assess({ ...base, bundles: ['viewer', 'root'], justification });
      const finding = only(assessment, 'JUSTIFICATION_REQUIRED');
      expect(finding.severity).toBe('blocking');
      expect(finding.member).toBeUndefined();
      expect(finding.message).toContain('"Bundle root" (root)');
      expect(finding.message).not.toContain('viewer');
      expect(assessment.allowed).toBe(false);
    },
  );

  it('treats a blank justification as missing even in a request that skipped the schema', () => {
    const input = inputOf({ ...base, bundles: ['root'], justification: 'x' });
    const assessment = assessAssignment({ ...input, request: { ...input.request, justification: ' \n ' } });
    expect(codes(assessment)).toEqual(['JUSTIFICATION_REQUIRED']);
  });

  it('accepts a high-risk grant with a justification', () => {
    const assessment = assess({ ...base, bundles: ['root'], justification: 'Incident INC-42' });
    expect(assessment.findings).toEqual([]);
    expect(assessment.allowed).toBe(true);
  });

  it('needs no justification below high risk, nor when the high-risk bundle is already held', () => {
    expect(assess({ ...base, bundles: ['viewer'] }).findings).toEqual([]);
    const held = assess({ ...base, members: [member('u_ann', { held: ['root'] })], bundles: ['root'] });
    expect(codes(held)).toEqual(['ALREADY_HELD']);
  });
});

describe('assessAssignment: risk, approval and approver', () => {
  const catalog = [
    bundle('lo', { risk: 'low' }),
    bundle('mid', { risk: 'medium' }),
    bundle('hi', { risk: 'high', maxDurationDays: 30 }),
  ];
  const wide = { peers: 10, holders: 0 };

  it.each([
    ['only low', ['lo'], {}, [], 'low', false, 'tenant_admin'],
    ['low and medium', ['lo', 'mid'], {}, [], 'medium', false, 'tenant_admin'],
    ['medium and high', ['mid', 'hi'], {}, [], 'high', true, 'security_approver'],
    ['high only', ['hi'], {}, [], 'high', true, 'security_approver'],
    ['low with a warning', ['lo'], { 'u_ann/lo': wide }, [], 'low', true, 'tenant_admin'],
    ['medium with a warning', ['mid'], { 'u_ann/mid': wide }, [], 'medium', true, 'tenant_admin'],
    ['high with a warning', ['hi'], { 'u_ann/hi': wide }, [], 'high', true, 'security_approver'],
    ['an unknown bundle next to a low one', ['lo', 'ghost'], {}, [], 'low', false, 'tenant_admin'],
    ['a high bundle already held', ['lo', 'hi'], {}, ['hi'], 'low', false, 'tenant_admin'],
    ['nothing granted', ['mid'], {}, ['mid'], 'low', false, 'tenant_admin'],
  ] as const)('%s: risk %s', (_, requested, peers, held, risk, requiresApproval, approverRole) => {
    const assessment = assess({
      members: [member('u_ann', { held })],
      catalog,
      bundles: requested,
      peers,
      validUntil: days(10),
      justification: 'Needed for the audit',
    });
    expect(assessment).toMatchObject({ risk, requiresApproval, approverRole });
  });

  it('takes the risk from bundles granted to anyone, even when another member holds them', () => {
    const assessment = assess({
      members: [member('u_ann', { held: ['hi'] }), member('u_bob')],
      catalog,
      bundles: ['hi'],
      validUntil: days(10),
      justification: 'Needed for the audit',
    });
    expect(assessment.risk).toBe('high');
    expect(grantPairs(assessment)).toEqual(['u_bob:u_bob/hi']);
  });

  it('allows exactly when no finding blocks', () => {
    const merged = assess({
      members: [member('u_ann', { held: ['lo'] }), member('u_ann')],
      catalog,
      bundles: ['lo', 'lo'],
    });
    expect(merged.findings.length).toBeGreaterThan(0);
    expect(merged.allowed).toBe(true);
    const warned = assess({
      members: [member('u_ann')],
      catalog,
      bundles: ['lo'],
      peers: { 'u_ann/lo': wide },
    });
    expect(warned.allowed).toBe(true);
    const blocked = assess({ members: [member('u_ann')], catalog, bundles: ['lo', 'ghost'] });
    expect(blocked.allowed).toBe(false);
  });
});

describe('assessAssignment: order and uniqueness', () => {
  it('orders findings request-level first, then by member, bundle and code', () => {
    const assessment = assess({
      requester: 'u_cid',
      members: [
        stranger('ghost@acme.test'),
        member('u_bob', { held: ['editor'] }),
        member('u_cid', { status: 'DEACTIVATED' }),
        member('u_dee', { pending: ['viewer'], held: ['approver'] }),
        member('u_bob', { reference: 'bob@acme.test' }),
      ],
      catalog: [
        bundle('viewer'),
        bundle('editor', { risk: 'high', incompatibleWith: ['approver'] }),
        bundle('approver', { maxDurationDays: 3 }),
      ],
      bundles: ['editor', 'nope', 'viewer', 'approver', 'viewer'],
      peers: { 'u_dee/editor': { peers: 8, holders: 0 }, 'u_bob/viewer': { peers: 8, holders: 1 } },
    });
    expect(summary(assessment)).toEqual([
      ['-', '-', 'JUSTIFICATION_REQUIRED'],
      ['-', 'editor', 'NO_END_DATE'],
      ['-', 'nope', 'UNKNOWN_BUNDLE'],
      ['-', 'viewer', 'DUPLICATE_BUNDLE'],
      ['-', 'approver', 'BEYOND_MAX_DURATION'],
      ['ghost@acme.test', '-', 'UNKNOWN_MEMBER'],
      ['u_bob', 'editor', 'ALREADY_HELD'],
      ['u_bob', 'viewer', 'WIDER_THAN_PEERS'],
      ['u_bob', 'approver', 'SOD_CONFLICT'],
      ['u_cid', '-', 'DEACTIVATED_MEMBER'],
      ['u_cid', '-', 'SELF_GRANT'],
      ['u_dee', 'editor', 'SOD_CONFLICT'],
      ['u_dee', 'editor', 'WIDER_THAN_PEERS'],
      ['u_dee', 'viewer', 'ALREADY_PENDING'],
      ['u_dee', 'approver', 'ALREADY_HELD'],
      ['bob@acme.test', '-', 'DUPLICATE_MEMBER'],
    ]);
    expect(grantPairs(assessment)).toEqual([
      'u_bob:u_bob/viewer',
      'u_bob:u_bob/approver',
      'u_dee:u_dee/editor',
    ]);
    expect(assessment).toMatchObject({
      risk: 'high',
      requiresApproval: true,
      approverRole: 'security_approver',
    });
    expect(assessment.allowed).toBe(false);
  });

  it('covers every finding code with a sentence and a concrete suggestion', () => {
    const assessment = assess({
      requester: 'u_cid',
      members: [
        stranger('ghost@acme.test'),
        member('u_bob', { held: ['editor'] }),
        member('u_cid', { status: 'DEACTIVATED' }),
        member('u_dee', { pending: ['viewer'], held: ['approver'] }),
        member('u_eve'),
        member('u_bob', { reference: 'bob@acme.test' }),
      ],
      catalog: [
        bundle('viewer'),
        bundle('editor', { risk: 'high', incompatibleWith: ['approver'] }),
        bundle('approver', { maxDurationDays: 3 }),
      ],
      bundles: ['editor', 'nope', 'viewer', 'approver', 'viewer'],
      peers: { 'u_dee/editor': { peers: 8, holders: 0 } },
    });
    const everyCode: FindingCode[] = [
      'UNKNOWN_MEMBER',
      'DEACTIVATED_MEMBER',
      'DUPLICATE_MEMBER',
      'UNKNOWN_BUNDLE',
      'DUPLICATE_BUNDLE',
      'ALREADY_HELD',
      'ALREADY_PENDING',
      'SOD_CONFLICT',
      'NO_END_DATE',
      'BEYOND_MAX_DURATION',
      'WIDER_THAN_PEERS',
      'SELF_GRANT',
      'JUSTIFICATION_REQUIRED',
    ];
    expect(new Set(codes(assessment))).toEqual(new Set(everyCode));
    const invalid = assess({ members: [member('u_ann')], bundles: ['viewer'], validUntil: days(-1) });
    for (const finding of [...assessment.findings, ...invalid.findings]) {
      expect(finding.message).toMatch(/^\S.*[.]$/);
      expect(finding.suggestion).toMatch(/^\S.*[.]$/);
      expect(finding.message).not.toContain('undefined');
      expect(finding.suggestion).not.toContain('undefined');
    }
  });

  it('never plans the same (user, bundle) twice, whatever the repetitions', () => {
    const assessment = assess({
      members: [
        member('u_ann'),
        member('u_ann', { reference: 'ann@acme.test' }),
        member('u_bob'),
        member('u_ann', { reference: 'ANN@acme.test' }),
      ],
      references: ['u_ann', 'ann@acme.test', 'u_bob', 'ANN@acme.test', 'u_bob', 'u_ann'],
      bundles: ['viewer', 'editor', 'viewer', 'editor', 'approver'],
    });
    const pairs = assessment.grants.map((grant) => `${grant.userId}/${grant.bundleId}`);
    expect(pairs).toEqual([
      'u_ann/viewer',
      'u_ann/editor',
      'u_ann/approver',
      'u_bob/viewer',
      'u_bob/editor',
      'u_bob/approver',
    ]);
    expect(new Set(pairs).size).toBe(pairs.length);
    expect(codes(assessment).filter((code) => code === 'DUPLICATE_MEMBER')).toHaveLength(4);
  });
});
