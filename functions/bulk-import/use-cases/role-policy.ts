import type { RoleCatalog } from '../../identity/adapters/role-catalog';
import type { Caller } from '../../identity/caller';
import { ValidationError } from '../../shared/errors';
import type { RolePolicyRepository } from '../adapters/role-policy-repository';
import type { RolePolicyInput } from '../domain/role-policy';
import type { DefaultRolePolicy } from '../domain/validation-ports';

export interface RolePolicyDeps {
  readonly policies: Pick<RolePolicyRepository, 'get' | 'put'>;
  readonly roleCatalog: Pick<RoleCatalog, 'roles'>;
  readonly approvalRoles: ReadonlySet<string>;
  readonly clock: () => Date;
}

/**
 * Replaces the tenant's default role strategy. Every role must exist, and none may be one that
 * needs approval: a default grant would hand it to every imported row without one.
 */
export async function replaceRolePolicy(
  deps: RolePolicyDeps,
  caller: Caller,
  policy: RolePolicyInput,
): Promise<DefaultRolePolicy> {
  const known = await deps.roleCatalog.roles();
  const named = [...policy.fallbackRoles, ...policy.rules.flatMap((rule) => rule.roles)];
  const problems = [
    ...[...new Set(named.filter((role) => !known.has(role)))].map((role) => ({
      path: 'body.roles',
      code: 'UNKNOWN_ROLE',
      message: `Role "${role}" does not exist. Known roles: ${[...known.keys()].sort().join(', ')}.`,
    })),
    ...[...new Set(named.filter((role) => deps.approvalRoles.has(role)))].map((role) => ({
      path: 'body.roles',
      code: 'ROLE_REQUIRES_APPROVAL',
      message: `Role "${role}" needs an approval, so it cannot be granted by default; request it per row instead.`,
    })),
  ];
  if (problems.length > 0) {
    throw new ValidationError(
      'INVALID_ROLE_POLICY',
      problems[0]?.message ?? 'Invalid role policy.',
      problems,
    );
  }
  await deps.policies.put(caller.tenantId, policy, caller.currentUserId, deps.clock().toISOString());
  return policy;
}
