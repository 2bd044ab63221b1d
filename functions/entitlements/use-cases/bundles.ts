import type { RoleCatalog } from '../../identity/adapters/role-catalog';
import { type Caller, callerEventContext } from '../../identity/caller';
import { ConflictError, type ErrorDetail, ValidationError } from '../../shared/errors';
import { domainEvent } from '../../shared/events/catalog';
import type { DomainEvent } from '../../shared/events/domain-event';
import { type BundleRepository, missingBundle } from '../adapters/bundle-repository';
import type { Bundle, BundleDefinition } from '../domain/bundle';

export interface BundleDeps {
  readonly bundles: Pick<BundleRepository, 'list' | 'get' | 'create' | 'replace' | 'delete'>;
  readonly roleCatalog: Pick<RoleCatalog, 'roles'>;
  readonly publish: (events: readonly DomainEvent[]) => Promise<void>;
  readonly clock: () => Date;
}

/** Every change of a bundle is an event, and so an audit record (who changed what grants, when). */
function bundleChanged(
  caller: Caller,
  bundle: Bundle,
  change: 'created' | 'replaced' | 'deleted',
  occurredAt: Date,
): DomainEvent {
  return domainEvent('iam.bundle.changed', callerEventContext(caller, occurredAt), {
    targetId: `bundle:${bundle.bundleId}`,
    bundleId: bundle.bundleId,
    change,
    version: bundle.version,
    risk: bundle.risk,
    roles: [...bundle.roles],
    permissions: [...bundle.permissions],
  });
}

/**
 * A bundle may name only roles that exist, grant only permissions its author holds, and name as
 * incompatible only bundles of the tenant (never itself); the problems are reported together, each
 * at its field.
 */
async function checkDefinition(
  deps: BundleDeps,
  caller: Caller,
  bundleId: string,
  definition: BundleDefinition,
): Promise<void> {
  const [roles, bundles] = await Promise.all([deps.roleCatalog.roles(), deps.bundles.list(caller.tenantId)]);
  const bundleIds = new Set(bundles.map((bundle) => bundle.bundleId));
  // Nobody defines a bundle granting more than they hold: assigning it would escalate past them.
  const granted = new Set([
    ...definition.permissions,
    ...definition.roles.flatMap((role) => roles.get(role)?.permissions ?? []),
  ]);
  const beyondCaller = [...granted].filter((permission) => !caller.access.permissions.has(permission)).sort();
  const problems: ErrorDetail[] = [
    ...beyondCaller.map((permission) => ({
      path: 'body.permissions',
      code: 'BEYOND_OWN_PERMISSIONS',
      message: `The bundle would grant "${permission}", which you do not hold; a bundle grants at most what its author holds.`,
    })),
    ...definition.roles
      .filter((role) => !roles.has(role))
      .map((role) => ({
        path: 'body.roles',
        code: 'UNKNOWN_ROLE',
        message: `Role "${role}" does not exist. Known roles: ${[...roles.keys()].sort().join(', ')}.`,
      })),
    ...definition.incompatibleWith
      .filter((other) => other === bundleId || !bundleIds.has(other))
      .map((other) => ({
        path: 'body.incompatibleWith',
        code: other === bundleId ? 'SELF_INCOMPATIBLE' : 'UNKNOWN_BUNDLE',
        message:
          other === bundleId
            ? 'A bundle cannot be incompatible with itself.'
            : `Bundle "${other}" does not exist; create it first, then mark the two incompatible.`,
      })),
  ];
  const [first] = problems;
  if (first) throw new ValidationError('INVALID_BUNDLE', first.message, problems);
}

export async function createBundle(
  deps: BundleDeps,
  caller: Caller,
  bundleId: string,
  definition: BundleDefinition,
): Promise<Bundle> {
  await checkDefinition(deps, caller, bundleId, definition);
  const now = deps.clock().toISOString();
  const bundle: Bundle = {
    ...definition,
    tenantId: caller.tenantId,
    bundleId,
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
  await deps.bundles.create(bundle);
  await deps.publish([bundleChanged(caller, bundle, 'created', new Date(now))]);
  return bundle;
}

export async function getBundle(
  deps: Pick<BundleDeps, 'bundles'>,
  caller: Caller,
  bundleId: string,
): Promise<Bundle> {
  const bundle = await deps.bundles.get(caller.tenantId, bundleId);
  if (!bundle) throw missingBundle(bundleId);
  return bundle;
}

/** Replaces a bundle's definition; `expectedVersion` (If-Match) guards against a lost update. */
export async function replaceBundle(
  deps: BundleDeps,
  caller: Caller,
  bundleId: string,
  definition: BundleDefinition,
  expectedVersion: number | undefined,
): Promise<Bundle> {
  const current = await getBundle(deps, caller, bundleId);
  await checkDefinition(deps, caller, bundleId, definition);
  const version = expectedVersion ?? current.version;
  const now = deps.clock();
  const bundle: Bundle = {
    ...definition,
    tenantId: caller.tenantId,
    bundleId,
    createdAt: current.createdAt,
    updatedAt: now.toISOString(),
    version: version + 1,
  };
  await deps.bundles.replace(bundle, version);
  await deps.publish([bundleChanged(caller, bundle, 'replaced', now)]);
  return bundle;
}

/**
 * Deletes a bundle. Its entitlements stay on record (for the audit trail) but grant nothing from
 * then on (within the bundle cache's 30 s in running functions); new assignments cannot name it.
 */
export async function deleteBundle(
  deps: BundleDeps,
  caller: Caller,
  bundleId: string,
  expectedVersion: number | undefined,
): Promise<void> {
  const current = await getBundle(deps, caller, bundleId);
  // A dangling incompatibility would make the other bundle unsavable and its SoD rule void.
  const referencing = (await deps.bundles.list(caller.tenantId))
    .filter((bundle) => bundle.incompatibleWith.includes(bundleId))
    .map((bundle) => bundle.bundleId);
  if (referencing.length > 0) {
    throw new ConflictError(
      'BUNDLE_REFERENCED',
      `Bundles ${referencing.join(', ')} name "${bundleId}" as incompatible; remove it from their incompatibleWith first.`,
    );
  }
  await deps.bundles.delete(caller.tenantId, bundleId, expectedVersion ?? current.version);
  await deps.publish([bundleChanged(caller, current, 'deleted', deps.clock())]);
}
