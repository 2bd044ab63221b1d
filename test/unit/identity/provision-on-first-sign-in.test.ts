import { describe, expect, it } from 'vitest';
import type { User } from '../../../functions/identity/domain/user';
import {
  type FirstSignInDeps,
  provisionOnFirstSignIn,
} from '../../../functions/identity/use-cases/provision-on-first-sign-in';
import { ConflictError, ForbiddenError } from '../../../functions/shared/errors';
import type { DomainEvent } from '../../../functions/shared/events/domain-event';
import { readFlags } from '../../../functions/shared/flags';

const ISSUER = 'https://idp.test';
const identity = { tenantId: 'acme', issuer: ISSUER, subject: 'idp|1', verifiedEmail: 'New@Acme.test' };
const invited: User = {
  tenantId: 'acme',
  userId: 'u_invited',
  email: 'new@acme.test',
  status: 'INVITED',
  roles: ['operator'],
  groups: [],
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  version: 3,
};

/** An in-memory directory of one tenant, whose email claim fails like the table's transaction. */
function setup(env: NodeJS.ProcessEnv, stored: User[] = [], raceWith?: User) {
  const users = new Map(stored.map((user) => [user.userId, user]));
  const links = new Map<string, string>();
  const published: DomainEvent[] = [];
  const updates: { userId: string; status?: string; expectedVersion: number }[] = [];
  const byEmail = (email: string) => [...users.values()].find((user) => user.email === email)?.userId;
  const deps: FirstSignInDeps = {
    directory: {
      findUserIdByEmail: async (_tenantId, email) => byEmail(email),
      getUser: async (_tenantId, userId) => users.get(userId),
      createUser: async (user, link) => {
        // A concurrent first request wins the email claim just before this one.
        if (raceWith && !users.has(raceWith.userId)) users.set(raceWith.userId, raceWith);
        if (byEmail(user.email)) throw new ConflictError('EMAIL_TAKEN', 'taken');
        users.set(user.userId, user);
        if (link) links.set(link.subject, user.userId);
      },
      linkSubject: async (_tenantId, _issuer, subject, userId) => {
        links.set(subject, userId);
      },
      updateUser: async (_tenantId, userId, changes, expectedVersion) => {
        updates.push({ userId, ...changes, expectedVersion });
        const updated = { ...(users.get(userId) as User), ...changes, version: expectedVersion + 1 };
        users.set(userId, updated);
        return updated;
      },
    },
    defaultRolePolicy: async () => ({ fallbackRoles: ['operator', 'member'] }),
    publish: async (events) => {
      published.push(...events);
    },
    flags: () => readFlags(env),
    clock: () => new Date('2026-11-22T10:00:00Z'),
  };
  return { deps, users, links, published, updates };
}

const ON = { USER_MGMT_CORE: 'true', OIDC_AUTO_PROVISION_USERS: 'on' };

describe('provisionOnFirstSignIn', () => {
  it.each([{}, { USER_MGMT_CORE: 'true' }, { OIDC_AUTO_PROVISION_USERS: 'true' }])(
    'creates, links and publishes nothing unless both flags are on (%o)',
    async (env) => {
      const { deps, users, links, published } = setup(env);
      expect(await provisionOnFirstSignIn(deps, identity)).toBeUndefined();
      expect(users.size + links.size + published.length).toBe(0);
    },
  );

  it('creates an active user with the default roles, links the subject and publishes iam.user.created', async () => {
    const { deps, users, links, published } = setup(ON);
    const userId = await provisionOnFirstSignIn(deps, { ...identity, correlationId: 'corr-1' });
    expect(users.get(userId as string)).toMatchObject({
      email: 'new@acme.test',
      status: 'ACTIVE',
      roles: ['member', 'operator'],
    });
    expect(links.get('idp|1')).toBe(userId);
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({
      detailType: 'iam.user.created',
      detail: {
        correlationId: 'corr-1',
        data: { userId, status: 'ACTIVE', source: { type: 'oidc', issuer: ISSUER } },
      },
    });
  });

  it('refuses an identity whose email the provider has not verified', async () => {
    const { deps, users } = setup(ON);
    const { verifiedEmail: _unverified, ...withoutEmail } = identity;
    const error = await provisionOnFirstSignIn(deps, withoutEmail).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ForbiddenError);
    expect((error as ForbiddenError).code).toBe('EMAIL_NOT_VERIFIED');
    expect(users.size).toBe(0);
  });

  it('activates and links an invited user at the version read, creating nobody and publishing nothing', async () => {
    const { deps, users, links, published, updates } = setup(ON, [invited]);
    expect(await provisionOnFirstSignIn(deps, identity)).toBe('u_invited');
    expect(updates).toEqual([{ userId: 'u_invited', status: 'ACTIVE', expectedVersion: 3 }]);
    expect(users.size).toBe(1);
    expect(links.get('idp|1')).toBe('u_invited');
    expect(published).toHaveLength(0);
  });

  it('links an active user without changing them', async () => {
    const { deps, links, updates } = setup(ON, [{ ...invited, status: 'ACTIVE' }]);
    expect(await provisionOnFirstSignIn(deps, identity)).toBe('u_invited');
    expect(updates).toHaveLength(0);
    expect(links.get('idp|1')).toBe('u_invited');
  });

  it('returns a deactivated user without linking them, so the resolver refuses them', async () => {
    const { deps, links } = setup(ON, [{ ...invited, status: 'DEACTIVATED' }]);
    expect(await provisionOnFirstSignIn(deps, identity)).toBe('u_invited');
    expect(links.size).toBe(0);
  });

  it('a first request that loses the email claim to a concurrent one links to the winner instead of failing', async () => {
    const winner: User = { ...invited, userId: 'u_winner', status: 'ACTIVE' };
    const { deps, users, links, published } = setup(ON, [], winner);
    expect(await provisionOnFirstSignIn(deps, identity)).toBe('u_winner');
    expect([...users.keys()]).toEqual(['u_winner']);
    expect(links.get('idp|1')).toBe('u_winner');
    expect(published).toHaveLength(0);
  });
});
