import { ConflictError } from '../../shared/errors';
import type { DirectoryRepository } from '../adapters/directory-repository';
import { newId } from '../domain/ids';
import { normalizeEmail, type User } from '../domain/user';

export interface EnsurePrincipalInput {
  readonly tenantId: string;
  readonly email: string;
  readonly roles?: readonly string[];
  readonly issuer: string;
}

export type EnsurePrincipalDeps = {
  readonly directory: Pick<
    DirectoryRepository,
    'ensureTenant' | 'findUserIdByEmail' | 'createUser' | 'addRoles' | 'linkSubject'
  >;
  readonly clock: () => Date;
};

/**
 * Makes sure a tenant, an active user with this email holding at least the given roles, and the link from the
 * issuer's subject to that user all exist; running it again changes nothing. The subject is the
 * user id, so tokens minted for the user carry `sub` = user id. Used by the local issuer.
 */
export async function ensurePrincipal(
  deps: EnsurePrincipalDeps,
  input: EnsurePrincipalInput,
): Promise<{ userId: string; subject: string }> {
  const now = deps.clock().toISOString();
  const email = normalizeEmail(input.email);
  const requestedRoles = [...new Set(input.roles ?? [])];
  await deps.directory.ensureTenant(input.tenantId, now);

  let userId = await deps.directory.findUserIdByEmail(input.tenantId, email);
  if (!userId) {
    const candidate = newId('u');
    const user: User = {
      tenantId: input.tenantId,
      userId: candidate,
      email,
      status: 'ACTIVE',
      // A new user with no roles asked for gets the baseline role, like any invited member.
      roles: requestedRoles.length > 0 ? requestedRoles : ['member'],
      groups: [],
      createdAt: now,
      updatedAt: now,
      version: 1,
    };
    try {
      await deps.directory.createUser(user, { issuer: input.issuer, subject: candidate });
      return { userId: candidate, subject: candidate };
    } catch (error) {
      // Lost a race with a concurrent call for the same email: use the winner's user.
      if (!(error instanceof ConflictError) || error.code !== 'EMAIL_TAKEN') throw error;
      userId = await deps.directory.findUserIdByEmail(input.tenantId, email);
      if (!userId) throw error;
    }
  }
  // An existing user keeps the roles they have; only roles asked for are added.
  await deps.directory.addRoles(input.tenantId, userId, requestedRoles, now);
  await deps.directory.linkSubject(input.tenantId, input.issuer, userId, userId, now);
  return { userId, subject: userId };
}
