import type {
  Assessment,
  AssessmentInput,
  Finding,
  FindingCode,
  MemberFacts,
  PlannedGrant,
} from './assignment';
import { type Bundle, higherRisk, isLowerRisk, type RiskLevel } from './bundle';

/**
 * Least-privilege validation of a batch assignment (seed 001, `POST …/batch-assign/validate`).
 * Pure: everything it needs (the directory's view of each member, the tenant's bundles, peer usage,
 * the clock) comes in through {@link AssessmentInput}.
 */

/** Peer comparison needs at least this many peers to say anything. */
export const MIN_PEERS = 5;
/** A bundle held by fewer than this share of a member's peers is wider than the member's peers need. */
export const PEER_SHARE = 0.2;
/** The end date suggested for a high-risk bundle with no maximum duration of its own. */
export const DEFAULT_END_DAYS = 90;

const DAY_MS = 86_400_000;

/** Order of codes among findings on the same member and bundle. */
const CODE_ORDER = {
  UNKNOWN_MEMBER: 0,
  DEACTIVATED_MEMBER: 1,
  DUPLICATE_MEMBER: 2,
  SELF_GRANT: 3,
  UNKNOWN_BUNDLE: 4,
  DUPLICATE_BUNDLE: 5,
  ALREADY_HELD: 6,
  ALREADY_PENDING: 7,
  SOD_CONFLICT: 8,
  INVALID_WINDOW: 9,
  NO_END_DATE: 10,
  BEYOND_MAX_DURATION: 11,
  JUSTIFICATION_REQUIRED: 12,
  WIDER_THAN_PEERS: 13,
} as const satisfies Record<FindingCode, number>;

type User = NonNullable<MemberFacts['user']>;

/** A finding with where it sorts: request-level findings (member -1) first, then by member and bundle. */
interface Placed {
  readonly finding: Finding;
  readonly memberIndex: number;
  readonly bundleIndex: number;
}

export function assessAssignment(input: AssessmentInput): Assessment {
  const { request, bundles, now } = input;
  const placed: Placed[] = [];

  // Bundles: distinct ids in request order, unknown and duplicate ones.
  const bundleIndex = new Map<string, number>();
  const bundleCount = new Map<string, number>();
  for (const [index, bundleId] of request.bundles.entries()) {
    if (!bundleIndex.has(bundleId)) bundleIndex.set(bundleId, index);
    bundleCount.set(bundleId, (bundleCount.get(bundleId) ?? 0) + 1);
  }
  const requested = [...bundleIndex.keys()];
  const at = (bundleId: string): number => bundleIndex.get(bundleId) ?? -1;
  const label = (bundleId: string): string => labelOf(bundleId, bundles.get(bundleId));

  for (const bundleId of requested) {
    if (!bundles.has(bundleId)) {
      placed.push({
        memberIndex: -1,
        bundleIndex: at(bundleId),
        finding: {
          code: 'UNKNOWN_BUNDLE',
          severity: 'blocking',
          bundleId,
          message: `No permission bundle "${bundleId}" exists in this tenant.`,
          suggestion: `Check the bundle id for typos, or remove "${bundleId}" from the request.`,
        },
      });
    }
    const count = bundleCount.get(bundleId) ?? 0;
    if (count > 1) {
      placed.push({
        memberIndex: -1,
        bundleIndex: at(bundleId),
        finding: {
          code: 'DUPLICATE_BUNDLE',
          severity: 'merged',
          bundleId,
          message: `The bundle ${label(bundleId)} is named ${count} times in the request; it is granted once.`,
          suggestion: `Nothing to do; name ${label(bundleId)} once next time.`,
        },
      });
    }
  }
  const knownRequested = requested.filter((bundleId) => bundles.has(bundleId));

  // Members: resolve, merge duplicates, then plan grants bundle by bundle.
  const factsByReference = new Map<string, MemberFacts>();
  for (const facts of input.members) {
    const key = referenceKey(facts.reference);
    if (!factsByReference.has(key)) factsByReference.set(key, facts);
  }
  const firstReference = new Map<string, string>();
  const grants: PlannedGrant[] = [];

  for (const [memberIndex, reference] of request.members.entries()) {
    const user = factsByReference.get(referenceKey(reference))?.user;
    const identity = user ? `user:${user.userId}` : `reference:${referenceKey(reference)}`;
    const add = (bundleId: string | undefined, finding: Omit<Finding, 'member'>): void => {
      placed.push({
        memberIndex,
        bundleIndex: bundleId === undefined ? -1 : at(bundleId),
        finding: { ...finding, member: reference },
      });
    };

    const first = firstReference.get(identity);
    if (first !== undefined) {
      add(undefined, {
        code: 'DUPLICATE_MEMBER',
        severity: 'merged',
        message:
          first === reference
            ? `The member ${reference} is named more than once; they are considered once.`
            : `The member ${reference} is the same person as ${first}, named earlier; they are considered once.`,
        suggestion: `Nothing to do; name each member once next time.`,
      });
      continue;
    }
    firstReference.set(identity, reference);

    if (!user) {
      add(undefined, {
        code: 'UNKNOWN_MEMBER',
        severity: 'blocking',
        message: `No user of this tenant matches ${reference}.`,
        suggestion: `Check the user id or email for typos, invite the person first, or remove ${reference} from the request.`,
      });
      continue;
    }
    if (user.userId === input.requesterUserId) {
      add(undefined, {
        code: 'SELF_GRANT',
        severity: 'blocking',
        message: `${reference} is you: nobody may grant bundles to themselves.`,
        suggestion: `Remove ${reference} from the request and ask another administrator to grant your access.`,
      });
    }
    if (user.status === 'DEACTIVATED') {
      add(undefined, {
        code: 'DEACTIVATED_MEMBER',
        severity: 'blocking',
        message: `${reference} is deactivated and cannot be granted anything.`,
        suggestion: `Remove ${reference} from the request, or reactivate the user first if they have returned.`,
      });
      continue;
    }

    const held = new Set(user.heldBundles);
    const pending = new Set(user.pendingBundles);
    const fresh: string[] = [];
    for (const bundleId of knownRequested) {
      if (held.has(bundleId)) {
        add(bundleId, {
          code: 'ALREADY_HELD',
          severity: 'merged',
          bundleId,
          message: `${reference} already holds ${label(bundleId)} in this scope; it is not granted again.`,
          suggestion: `Nothing to do; to change the existing grant's window, renew it instead.`,
        });
      } else if (pending.has(bundleId)) {
        add(bundleId, {
          code: 'ALREADY_PENDING',
          severity: 'merged',
          bundleId,
          message: `A grant of ${label(bundleId)} to ${reference} in this scope is already waiting for approval; it is not requested again.`,
          suggestion: `Nothing to do; follow up on the pending approval instead.`,
        });
      } else {
        fresh.push(bundleId);
        grants.push({ userId: user.userId, member: reference, bundleId });
      }
    }

    for (const [position, bundleId] of fresh.entries()) {
      for (const { other, how } of conflictsOf(bundleId, fresh.slice(position + 1), held, pending, bundles)) {
        add(bundleId, {
          code: 'SOD_CONFLICT',
          severity: 'blocking',
          bundleId,
          message: `${label(bundleId)} and ${label(other)} must not be held together (separation of duties), and ${reference} ${how}.`,
          suggestion:
            how === 'would receive both'
              ? `Grant ${reference} only one of ${label(bundleId)} and ${label(other)}.`
              : `Do not grant ${label(bundleId)} to ${reference}, or revoke ${label(other)} first.`,
        });
      }
      const wider = widerThanPeers(input, user, reference, bundleId);
      if (wider) add(bundleId, wider);
    }
  }

  // The window, for every bundle somebody is actually granted.
  const grantedBundles = knownRequested.filter((bundleId) =>
    grants.some((grant) => grant.bundleId === bundleId),
  );
  const from = request.validFrom === undefined ? now.getTime() : Date.parse(request.validFrom);
  const until = request.validUntil === undefined ? undefined : Date.parse(request.validUntil);
  const windowFinding = invalidWindow(from, until, now);
  if (windowFinding) placed.push({ memberIndex: -1, bundleIndex: -1, finding: windowFinding });
  else {
    for (const bundleId of grantedBundles) {
      const bundle = bundles.get(bundleId);
      if (!bundle) continue;
      const finding = durationFinding(bundle, from, until);
      if (finding) placed.push({ memberIndex: -1, bundleIndex: at(bundleId), finding });
    }
  }

  let risk: RiskLevel = 'low';
  for (const bundleId of grantedBundles) {
    const bundle = bundles.get(bundleId);
    if (bundle) risk = higherRisk(risk, bundle.risk);
  }

  if (risk === 'high' && request.justification.trim() === '') {
    const highRisk = grantedBundles.filter((bundleId) => bundles.get(bundleId)?.risk === 'high').map(label);
    placed.push({
      memberIndex: -1,
      bundleIndex: -1,
      finding: {
        code: 'JUSTIFICATION_REQUIRED',
        severity: 'blocking',
        message: `High-risk bundles (${highRisk.join(', ')}) need a justification for the security approver and the audit trail.`,
        suggestion: 'Add a justification saying why these members need this access and for what work.',
      },
    });
  }

  placed.sort(
    (a, b) =>
      a.memberIndex - b.memberIndex ||
      a.bundleIndex - b.bundleIndex ||
      CODE_ORDER[a.finding.code] - CODE_ORDER[b.finding.code],
  );
  const findings = placed.map(({ finding }) => finding);

  return {
    risk,
    requiresApproval: risk === 'high' || findings.some((finding) => finding.severity === 'warning'),
    approverRole: risk === 'high' ? 'security_approver' : 'tenant_admin',
    findings,
    grants,
    allowed: !findings.some((finding) => finding.severity === 'blocking'),
  };
}

/** Emails compare case-insensitively; user ids exactly. */
function referenceKey(reference: string): string {
  const trimmed = reference.trim();
  return trimmed.includes('@') ? trimmed.toLowerCase() : trimmed;
}

function labelOf(bundleId: string, bundle: Bundle | undefined): string {
  return bundle ? `"${bundle.name}" (${bundleId})` : `"${bundleId}"`;
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function incompatible(a: string, b: string, bundles: ReadonlyMap<string, Bundle>): boolean {
  if (a === b) return false;
  return (
    (bundles.get(a)?.incompatibleWith.includes(b) ?? false) ||
    (bundles.get(b)?.incompatibleWith.includes(a) ?? false)
  );
}

/**
 * Bundles a newly granted bundle conflicts with: later bundles granted in the same request (each
 * pair reported once, on the earlier bundle), then bundles held, then bundles pending approval.
 */
function conflictsOf(
  bundleId: string,
  laterFresh: readonly string[],
  held: ReadonlySet<string>,
  pending: ReadonlySet<string>,
  bundles: ReadonlyMap<string, Bundle>,
): { other: string; how: string }[] {
  const conflicts: { other: string; how: string }[] = [];
  const named = new Set<string>();
  const consider = (others: Iterable<string>, how: string): void => {
    for (const other of others) {
      if (named.has(other) || !incompatible(bundleId, other, bundles)) continue;
      named.add(other);
      conflicts.push({ other, how });
    }
  };
  consider(laterFresh, 'would receive both');
  consider(held, 'already holds the latter');
  consider(pending, 'already has the latter pending approval');
  return conflicts;
}

function invalidWindow(from: number, until: number | undefined, now: Date): Finding | undefined {
  if (until === undefined) return undefined;
  const fromText = new Date(from).toISOString();
  const untilText = new Date(until).toISOString();
  if (until <= from) {
    return {
      code: 'INVALID_WINDOW',
      severity: 'blocking',
      message: `The window ends (${untilText}) before or when it starts (${fromText}).`,
      suggestion: `Set validUntil after validFrom, e.g. ${isoDate(from + 30 * DAY_MS)}.`,
    };
  }
  if (until <= now.getTime()) {
    return {
      code: 'INVALID_WINDOW',
      severity: 'blocking',
      message: `The window ends in the past (${untilText}); the grants would never be in force.`,
      suggestion: `Set validUntil to a future date, e.g. ${isoDate(now.getTime() + 30 * DAY_MS)}.`,
    };
  }
  return undefined;
}

/** NO_END_DATE for an open-ended high-risk bundle; BEYOND_MAX_DURATION for a window past a bundle's maximum. */
function durationFinding(bundle: Bundle, from: number, until: number | undefined): Finding | undefined {
  const label = labelOf(bundle.bundleId, bundle);
  if (until === undefined && bundle.risk === 'high') {
    const days = bundle.maxDurationDays ?? DEFAULT_END_DAYS;
    return {
      code: 'NO_END_DATE',
      severity: 'blocking',
      bundleId: bundle.bundleId,
      message: `${label} is high risk and cannot be granted without an end date.`,
      suggestion: `Set validUntil no later than ${isoDate(from + days * DAY_MS)} (${days} days after the start).`,
    };
  }
  const max = bundle.maxDurationDays;
  if (max === undefined) return undefined;
  if (until !== undefined && until - from <= max * DAY_MS) return undefined;
  const latest = isoDate(from + max * DAY_MS);
  return {
    code: 'BEYOND_MAX_DURATION',
    severity: 'blocking',
    bundleId: bundle.bundleId,
    message:
      until === undefined
        ? `${label} may be granted for at most ${max} days, but the request has no end date.`
        : `${label} may be granted for at most ${max} days, but the window runs to ${new Date(until).toISOString()}.`,
    suggestion: `Set validUntil no later than ${latest}.`,
  };
}

function share(holders: number, peers: number): number {
  return peers > 0 ? holders / peers : 0;
}

function percent(holders: number, peers: number): string {
  return `${Math.round(share(holders, peers) * 100)}%`;
}

function contents(bundle: Bundle): Set<string> {
  return new Set([
    ...bundle.roles.map((role) => `role:${role}`),
    ...bundle.permissions.map((p) => `permission:${p}`),
  ]);
}

function isStrictSubset(small: ReadonlySet<string>, large: ReadonlySet<string>): boolean {
  if (small.size >= large.size) return false;
  for (const item of small) if (!large.has(item)) return false;
  return true;
}

/**
 * WIDER_THAN_PEERS when at least {@link MIN_PEERS} peers exist and fewer than {@link PEER_SHARE} of
 * them hold the bundle. Suggests the narrower bundle (lower risk, strictly fewer roles and
 * permissions, all of them in the requested bundle) most peers hold, if one is common enough.
 */
function widerThanPeers(
  input: AssessmentInput,
  user: User,
  reference: string,
  bundleId: string,
): Omit<Finding, 'member'> | undefined {
  const bundle = input.bundles.get(bundleId);
  if (!bundle) return undefined;
  const usage = input.peerUsage(user, bundleId);
  if (usage.peers < MIN_PEERS || share(usage.holders, usage.peers) >= PEER_SHARE) return undefined;

  const requestedContents = contents(bundle);
  let best: { bundle: Bundle; holders: number; peers: number; size: number } | undefined;
  for (const candidate of input.bundles.values()) {
    if (candidate.bundleId === bundleId || !isLowerRisk(candidate.risk, bundle.risk)) continue;
    const candidateContents = contents(candidate);
    if (!isStrictSubset(candidateContents, requestedContents)) continue;
    const candidateUsage = input.peerUsage(user, candidate.bundleId);
    if (candidateUsage.peers === 0 || share(candidateUsage.holders, candidateUsage.peers) < PEER_SHARE)
      continue;
    const better =
      !best ||
      candidateUsage.holders > best.holders ||
      (candidateUsage.holders === best.holders &&
        (candidateContents.size < best.size ||
          (candidateContents.size === best.size && candidate.bundleId < best.bundle.bundleId)));
    if (better) {
      best = {
        bundle: candidate,
        holders: candidateUsage.holders,
        peers: candidateUsage.peers,
        size: candidateContents.size,
      };
    }
  }

  const label = labelOf(bundleId, bundle);
  let suggestion: string;
  if (!best) {
    suggestion = `Ask whether ${reference} really needs ${label}; the approver will see this comparison.`;
  } else {
    const narrower = labelOf(best.bundle.bundleId, best.bundle);
    const common = `${best.holders} of ${best.peers} peers hold it`;
    suggestion = user.heldBundles.includes(best.bundle.bundleId)
      ? `${reference} already holds the narrower ${narrower} (${common}); ask whether it is enough before granting ${label}.`
      : `Grant the narrower ${narrower} instead (${common}), unless ${reference} needs more.`;
  }
  return {
    code: 'WIDER_THAN_PEERS',
    severity: 'warning',
    bundleId,
    message: `Only ${usage.holders} of ${reference}'s ${usage.peers} peers (${percent(usage.holders, usage.peers)}) hold ${label}; it may be more access than the role needs. The assignment goes to an approver.`,
    suggestion,
  };
}
