import pLimit from 'p-limit';
import type { DirectoryRepository } from '../../identity/adapters/directory-repository';
import type { Caller } from '../../identity/caller';
import { isUserId } from '../../identity/domain/ids';
import { normalizeEmail, type User } from '../../identity/domain/user';
import type { BundleRepository } from '../adapters/bundle-repository';
import type { EntitlementRepository } from '../adapters/entitlement-repository';
import type { Assessment, AssignmentRequest, MemberFacts, PeerUsage } from '../domain/assignment';
import { type Bundle, higherRisk, isLowerRisk, type RiskLevel } from '../domain/bundle';
import { type Entitlement, isInForce } from '../domain/entitlement';
import { assessAssignment } from '../domain/least-privilege';

export interface AssessDeps {
  readonly directory: Pick<DirectoryRepository, 'getUser' | 'findUserIdByEmail' | 'listAllUsers'>;
  readonly bundles: Pick<BundleRepository, 'list'>;
  readonly entitlements: Pick<EntitlementRepository, 'listForUser' | 'listHolders'>;
  readonly clock: () => Date;
}

/** Directory reads in flight at once while members are resolved. */
const READS_IN_FLIGHT = 8;

/**
 * Gathers what the least-privilege rules need (the members, what each holds in the scope, the
 * tenant's bundles and how common each is among every member's peers) and assesses the request.
 * Writes nothing. The peer comparison reads the tenant's user listing once and each bundle's
 * holders once: linear in the tenant's size, fine for the seed's tenants (docs/data-model.md).
 */
export async function assessRequest(
  deps: AssessDeps,
  caller: Requester,
  request: AssignmentRequest,
): Promise<Assessment> {
  return (await assessWithMembers(deps, caller, request)).assessment;
}

/** Who asks: a caller of the API, or the requester of an assignment when its workflow runs. */
export type Requester = Pick<Caller, 'tenantId' | 'currentUserId'>;

/**
 * {@link assessRequest}, with what the directory said of each member reference. `assignmentId`
 * names the assignment being assessed by its own workflow: the grants an earlier attempt of its
 * Prepare step already wrote PENDING_APPROVAL are its own plan, not "already pending" (otherwise a
 * retried Prepare would merge them away and leave them pending for ever).
 */
export async function assessWithMembers(
  deps: AssessDeps,
  caller: Requester,
  request: AssignmentRequest,
  assignmentId?: string,
): Promise<{ assessment: Assessment; members: MemberFacts[] }> {
  const { tenantId } = caller;
  const limit = pLimit(READS_IN_FLIGHT);
  const references = [...new Set(request.members)];
  const [bundles, resolved] = await Promise.all([
    deps.bundles.list(tenantId),
    Promise.all(references.map((reference) => limit(() => resolveMember(deps, tenantId, reference)))),
  ]);
  const members: MemberFacts[] = await Promise.all(
    resolved.map(({ reference, user }) =>
      limit(async (): Promise<MemberFacts> => {
        if (!user) return { reference };
        const entitlements = await deps.entitlements.listForUser(tenantId, user.userId);
        const inScope = entitlements.filter(
          (entitlement) =>
            entitlement.scope === request.scope && !isOwnPendingGrant(entitlement, assignmentId),
        );
        return {
          reference,
          user: {
            userId: user.userId,
            email: user.email,
            status: user.status,
            ...(user.department === undefined ? {} : { department: user.department }),
            ...(user.jobFamily === undefined ? {} : { jobFamily: user.jobFamily }),
            heldBundles: inScope.filter((entitlement) => isInForce(entitlement, deps.clock())).map(bundleOf),
            pendingBundles: inScope
              .filter((entitlement) => entitlement.status === 'PENDING_APPROVAL')
              .map(bundleOf),
          },
        };
      }),
    ),
  );
  const peerUsage = await peerUsageOf(
    deps,
    tenantId,
    request.scope,
    comparedBundles(bundles, request),
    members,
  );
  const assessment = assessAssignment({
    requesterUserId: caller.currentUserId,
    request,
    members,
    bundles: new Map(bundles.map((bundle) => [bundle.bundleId, bundle])),
    peerUsage,
    now: deps.clock(),
  });
  return { assessment, members };
}

const bundleOf = (entitlement: Entitlement) => entitlement.bundleId;

function isOwnPendingGrant(entitlement: Entitlement, assignmentId: string | undefined): boolean {
  return (
    assignmentId !== undefined &&
    entitlement.status === 'PENDING_APPROVAL' &&
    entitlement.source.type === 'batch_assign' &&
    entitlement.source.assignmentId === assignmentId
  );
}

/**
 * The bundles whose holders the peer comparison can ask about: the requested ones, and those of
 * lower risk than the riskiest requested (only such a bundle can be suggested as narrower).
 */
function comparedBundles(bundles: readonly Bundle[], request: AssignmentRequest): string[] {
  const requested = new Set(request.bundles);
  const riskiest = bundles
    .filter((bundle) => requested.has(bundle.bundleId))
    .reduce<RiskLevel>((risk, bundle) => higherRisk(risk, bundle.risk), 'low');
  return bundles
    .filter((bundle) => requested.has(bundle.bundleId) || isLowerRisk(bundle.risk, riskiest))
    .map((bundle) => bundle.bundleId);
}

async function resolveMember(
  deps: AssessDeps,
  tenantId: string,
  reference: string,
): Promise<{ reference: string; user?: User }> {
  const userId = isUserId(reference)
    ? reference
    : await deps.directory.findUserIdByEmail(tenantId, normalizeEmail(reference));
  const user = userId === undefined ? undefined : await deps.directory.getUser(tenantId, userId);
  return user ? { reference, user } : { reference };
}

const peerGroupOf = (user: { readonly department?: string; readonly jobFamily?: string }) =>
  `${user.department ?? ''}\u0000${user.jobFamily ?? ''}`;

/**
 * How many peers (same department and job family) each member has and how many of them hold
 * each bundle in force in the scope. Skipped (no peers) when no member has a department or job
 * family to compare by.
 */
async function peerUsageOf(
  deps: AssessDeps,
  tenantId: string,
  scope: string,
  bundleIds: readonly string[],
  members: readonly MemberFacts[],
): Promise<(user: NonNullable<MemberFacts['user']>, bundleId: string) => PeerUsage> {
  const comparable = members.some(
    ({ user }) => user?.department !== undefined || user?.jobFamily !== undefined,
  );
  if (!comparable) return () => ({ peers: 0, holders: 0 });
  const now = deps.clock();
  const [users, holders] = await Promise.all([
    deps.directory.listAllUsers(tenantId),
    Promise.all(
      bundleIds.map(async (bundleId) => {
        const entitlements = await deps.entitlements.listHolders(tenantId, bundleId, scope);
        const inForce = entitlements.filter((entitlement) => isInForce(entitlement, now));
        return [bundleId, new Set(inForce.map((entitlement) => entitlement.userId))] as const;
      }),
    ),
  ]);
  const peersByGroup = new Map<string, string[]>();
  for (const user of users) {
    if (user.status === 'DEACTIVATED') continue;
    const group = peerGroupOf(user);
    const peers = peersByGroup.get(group);
    if (peers) peers.push(user.userId);
    else peersByGroup.set(group, [user.userId]);
  }
  const holdersByBundle = new Map(holders);
  return (user, bundleId) => {
    const peers = (peersByGroup.get(peerGroupOf(user)) ?? []).filter((peer) => peer !== user.userId);
    const bundleHolders = holdersByBundle.get(bundleId) ?? new Set<string>();
    return { peers: peers.length, holders: peers.filter((peer) => bundleHolders.has(peer)).length };
  };
}
