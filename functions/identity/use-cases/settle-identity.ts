import { ConflictError, ForbiddenError, PreconditionFailedError } from '../../shared/errors';
import { domainEvent } from '../../shared/events/catalog';
import type { DomainEvent } from '../../shared/events/domain-event';
import type { FlagSet } from '../../shared/flags';
import type { DirectoryRepository } from '../adapters/directory-repository';
import { decideFirstSignIn, provisionedRoles } from '../domain/first-sign-in';
import { newId } from '../domain/ids';
import { normalizeEmail, type User } from '../domain/user';

/** An identity whose credentials the authorizer has verified. */
export interface AuthenticatedIdentity {
  readonly tenantId: string;
  readonly issuer: string;
  readonly subject: string;
  /** The email the identity provider vouches for, when it has verified it. */
  readonly verifiedEmail?: string;
  /** The request's correlation id, for the events a first sign-in may publish. */
  readonly correlationId?: string;
}

export interface SettleIdentityDeps {
  readonly directory: Pick<
    DirectoryRepository,
    'findUserIdBySubject' | 'findUserIdByEmail' | 'getUser' | 'createUser' | 'linkSubject' | 'updateUser'
  >;
  readonly defaultRolePolicy: (tenantId: string) => Promise<{ readonly fallbackRoles: readonly string[] }>;
  readonly publish: (events: readonly DomainEvent[]) => Promise<void>;
  readonly flags: () => FlagSet;
  readonly clock: () => Date;
}

/** Concurrent first requests race on the email claim; one more look settles the loser. */
const MAX_ATTEMPTS = 3;

/**
 * Who a verified identity is in the directory of its token's tenant: the user its subject is linked
 * to, else what its first sign-in makes of it (domain/first-sign-in.ts): a link by verified email
 * or, with OIDC auto-provisioning on, a user found, activated or made for it. Undefined when the
 * directory does not know the identity and may not learn it. A deactivated user with the email is
 * returned unlinked, so the route can tell them why they are refused.
 * A known identity costs one read; only a first sign-in writes. Two first requests of one identity
 * at once cannot make two users: the email is claimed in the user's creation transaction, and the
 * loser links to the winner's user.
 */
export async function settleIdentity(
  deps: SettleIdentityDeps,
  identity: AuthenticatedIdentity,
): Promise<string | undefined> {
  const linked = await deps.directory.findUserIdBySubject(
    identity.tenantId,
    identity.issuer,
    identity.subject,
  );
  if (linked) return linked;
  const flags = deps.flags();
  const email = identity.verifiedEmail ? normalizeEmail(identity.verifiedEmail) : undefined;
  for (let attempt = 1; ; attempt += 1) {
    const existingId = email ? await deps.directory.findUserIdByEmail(identity.tenantId, email) : undefined;
    const existing = existingId ? await deps.directory.getUser(identity.tenantId, existingId) : undefined;
    const decision = decideFirstSignIn({
      flags,
      hasVerifiedEmail: email !== undefined,
      ...(existing ? { existingStatus: existing.status } : {}),
    });
    try {
      switch (decision) {
        case 'unknown':
          return undefined;
        case 'refuse_unverified':
          throw new ForbiddenError(
            'EMAIL_NOT_VERIFIED',
            'Your identity provider has not verified your email address, so no account can be set up for you. Verify it with your provider and sign in again.',
          );
        case 'keep_out':
          return existing?.userId;
        case 'create':
          return await createLinkedUser(deps, identity, email as string);
        case 'activate_and_link':
        case 'link':
          return await linkExisting(deps, identity, existing as User, decision === 'activate_and_link');
      }
    } catch (error) {
      if (attempt < MAX_ATTEMPTS && lostARace(error)) continue;
      throw error;
    }
  }
}

function lostARace(error: unknown): boolean {
  return (
    error instanceof PreconditionFailedError ||
    (error instanceof ConflictError && error.code === 'EMAIL_TAKEN')
  );
}

async function createLinkedUser(
  deps: SettleIdentityDeps,
  identity: AuthenticatedIdentity,
  email: string,
): Promise<string> {
  const now = deps.clock();
  const user: User = {
    tenantId: identity.tenantId,
    userId: newId('u'),
    email,
    status: 'ACTIVE',
    roles: provisionedRoles(await deps.defaultRolePolicy(identity.tenantId)),
    groups: [],
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    version: 1,
  };
  await deps.directory.createUser(user, { issuer: identity.issuer, subject: identity.subject });
  await deps.publish([
    domainEvent(
      'iam.user.created',
      {
        tenantId: identity.tenantId,
        correlationId: identity.correlationId ?? user.userId,
        actor: { type: 'user', userId: user.userId, tenantId: identity.tenantId },
        occurredAt: now,
      },
      {
        userId: user.userId,
        status: 'ACTIVE',
        roles: [...user.roles],
        rolesPendingApproval: [],
        source: { type: 'oidc', issuer: identity.issuer },
      },
      `evt_${user.userId.slice(2)}`,
    ),
  ]);
  return user.userId;
}

async function linkExisting(
  deps: SettleIdentityDeps,
  identity: AuthenticatedIdentity,
  user: User,
  activate: boolean,
): Promise<string> {
  const now = deps.clock().toISOString();
  // Activation is conditional on the version read: a concurrent change is read again, not overwritten.
  if (activate)
    await deps.directory.updateUser(user.tenantId, user.userId, { status: 'ACTIVE' }, user.version, now);
  await deps.directory.linkSubject(user.tenantId, identity.issuer, identity.subject, user.userId, now);
  return user.userId;
}
