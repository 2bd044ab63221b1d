import { describe, expect, it } from 'vitest';
import type { User } from '../../../functions/identity/domain/user';
import {
  type AuthenticatedIdentity,
  type SettleIdentityDeps,
  settleIdentity,
} from '../../../functions/identity/use-cases/settle-identity';
import { ConflictError, ForbiddenError, PreconditionFailedError } from '../../../functions/shared/errors';
import type { DomainEvent } from '../../../functions/shared/events/domain-event';
import { readFlags } from '../../../functions/shared/flags';

const ISSUER = 'https://idp.test';
const identity: AuthenticatedIdentity = {
  tenantId: 'acme',
  issuer: ISSUER,
  subject: 'idp|1',
  verifiedEmail: ' New@Acme.test ',
};
const { verifiedEmail: _unverified, ...unverified } = identity;
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
const active: User = { ...invited, status: 'ACTIVE' };
const deactivated: User = { ...invited, status: 'DEACTIVATED' };

const ON = { USER_MGMT_CORE: 'true', OIDC_AUTO_PROVISION_USERS: 'on' };
const OFF_COMBINATIONS = [{}, { USER_MGMT_CORE: 'true' }, { OIDC_AUTO_PROVISION_USERS: 'true' }];

const linkKey = (tenantId: string, issuer: string, subject: string) => `${tenantId}|${issuer}|${subject}`;

interface Setup {
  readonly stored?: User[];
  /** Subject links already in the directory, by `tenant|issuer|subject`. */
  readonly links?: Record<string, string>;
  /** A concurrent first request makes this user just before this one claims the email. */
  readonly raceWith?: User;
  /** Concurrent changes to a user bump its version this many times before an update of ours. */
  readonly staleUpdates?: number;
}

/** An in-memory directory, whose email claim and versioned update fail like the table's. */
function setup(env: NodeJS.ProcessEnv, options: Setup = {}) {
  const users = new Map((options.stored ?? []).map((user) => [`${user.tenantId}|${user.userId}`, user]));
  const links = new Map(Object.entries(options.links ?? {}));
  const published: DomainEvent[] = [];
  const updates: { userId: string; status?: string; expectedVersion: number }[] = [];
  const reads: string[] = [];
  let staleUpdates = options.staleUpdates ?? 0;
  const byEmail = (tenantId: string, email: string) =>
    [...users.values()].find((user) => user.tenantId === tenantId && user.email === email)?.userId;
  const deps: SettleIdentityDeps = {
    directory: {
      findUserIdBySubject: async (tenantId, issuer, subject) => {
        reads.push('subject');
        return links.get(linkKey(tenantId, issuer, subject));
      },
      findUserIdByEmail: async (tenantId, email) => {
        reads.push(`email:${email}`);
        return byEmail(tenantId, email);
      },
      getUser: async (tenantId, userId) => users.get(`${tenantId}|${userId}`),
      createUser: async (user, link) => {
        const { raceWith } = options;
        if (raceWith && !users.has(`${raceWith.tenantId}|${raceWith.userId}`))
          users.set(`${raceWith.tenantId}|${raceWith.userId}`, raceWith);
        if (byEmail(user.tenantId, user.email)) throw new ConflictError('EMAIL_TAKEN', 'taken');
        users.set(`${user.tenantId}|${user.userId}`, user);
        if (link) links.set(linkKey(user.tenantId, link.issuer, link.subject), user.userId);
      },
      linkSubject: async (tenantId, issuer, subject, userId) => {
        links.set(linkKey(tenantId, issuer, subject), userId);
      },
      updateUser: async (tenantId, userId, changes, expectedVersion) => {
        const current = users.get(`${tenantId}|${userId}`) as User;
        if (staleUpdates > 0) {
          staleUpdates -= 1;
          users.set(`${tenantId}|${userId}`, { ...current, version: current.version + 1 });
          throw new PreconditionFailedError('VERSION_MISMATCH', 'stale');
        }
        updates.push({ userId, ...changes, expectedVersion });
        const updated = { ...current, ...changes, version: expectedVersion + 1 };
        users.set(`${tenantId}|${userId}`, updated);
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
  const linkOf = (subject = identity.subject, tenantId = identity.tenantId) =>
    links.get(linkKey(tenantId, ISSUER, subject));
  return { deps, users, links, linkOf, published, updates, reads };
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => 'settled',
    (caught: unknown) => caught,
  );
}

describe('settleIdentity: a linked identity', () => {
  it.each([ON, {}])(
    'is its linked user, after one read and no write, whatever the flags (%o)',
    async (env) => {
      const { deps, reads, updates, published, links } = setup(env, {
        stored: [active],
        links: { [linkKey('acme', ISSUER, 'idp|1')]: 'u_invited' },
      });
      expect(await settleIdentity(deps, unverified)).toBe('u_invited');
      expect(reads).toEqual(['subject']);
      expect(links.size + updates.length + published.length).toBe(1);
    },
  );

  it('is not found through a link of another tenant: a token cannot cross tenants', async () => {
    const { deps, linkOf } = setup({}, { links: { [linkKey('globex', ISSUER, 'idp|1')]: 'u_other' } });
    expect(await settleIdentity(deps, identity)).toBeUndefined();
    expect(linkOf()).toBeUndefined();
  });

  it('a failing directory read is rethrown, not taken for an unknown identity', async () => {
    const { deps } = setup(ON);
    const down = new Error('DynamoDB unreachable');
    const error = await failure(
      settleIdentity(
        {
          ...deps,
          directory: {
            ...deps.directory,
            findUserIdBySubject: async () => {
              throw down;
            },
          },
        },
        identity,
      ),
    );
    expect(error).toBe(down);
  });
});

describe.each(OFF_COMBINATIONS)(
  'settleIdentity with provisioning off (%o): the link by verified email',
  (env) => {
    it('links an invited user with the email, normalised, and leaves them invited', async () => {
      const { deps, users, linkOf, updates, published } = setup(env, { stored: [invited] });
      expect(await settleIdentity(deps, identity)).toBe('u_invited');
      expect(linkOf()).toBe('u_invited');
      expect(users.get('acme|u_invited')).toEqual(invited);
      expect(updates.length + published.length).toBe(0);
    });

    it('links an active user with the email', async () => {
      const { deps, linkOf } = setup(env, { stored: [active] });
      expect(await settleIdentity(deps, identity)).toBe('u_invited');
      expect(linkOf()).toBe('u_invited');
    });

    it('creates, links and publishes nothing for an email nobody in the tenant has', async () => {
      const { deps, users, links, published } = setup(env, { stored: [{ ...active, tenantId: 'globex' }] });
      expect(await settleIdentity(deps, identity)).toBeUndefined();
      expect(users.size).toBe(1);
      expect(links.size + published.length).toBe(0);
    });

    it('leaves an identity without a verified email unknown, even when a user has its email', async () => {
      const { deps, links, reads } = setup(env, { stored: [active] });
      expect(await settleIdentity(deps, unverified)).toBeUndefined();
      expect(links.size).toBe(0);
      expect(reads).toEqual(['subject']);
    });

    it('gives a deactivated user no new link, but names them so the route can say why it refuses', async () => {
      const { deps, links } = setup(env, { stored: [deactivated] });
      expect(await settleIdentity(deps, identity)).toBe('u_invited');
      expect(links.size).toBe(0);
    });
  },
);

describe('settleIdentity with OIDC auto-provisioning on', () => {
  it('creates an active user with the default roles, links the subject and publishes iam.user.created', async () => {
    const { deps, users, linkOf, published } = setup(ON);
    const userId = await settleIdentity(deps, { ...identity, correlationId: 'corr-1' });
    expect(users.get(`acme|${userId}`)).toMatchObject({
      tenantId: 'acme',
      email: 'new@acme.test',
      status: 'ACTIVE',
      roles: ['member', 'operator'],
      version: 1,
    });
    expect(linkOf()).toBe(userId);
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({
      detailType: 'iam.user.created',
      detail: {
        tenantId: 'acme',
        correlationId: 'corr-1',
        actor: { type: 'user', userId },
        data: {
          userId,
          status: 'ACTIVE',
          roles: ['member', 'operator'],
          source: { type: 'oidc', issuer: ISSUER },
        },
      },
    });
  });

  it('creates the user in the token tenant even when another tenant has the email', async () => {
    const { deps, users } = setup(ON, { stored: [{ ...active, tenantId: 'globex' }] });
    const userId = await settleIdentity(deps, identity);
    expect(userId).not.toBe('u_invited');
    expect(users.get(`acme|${userId}`)?.email).toBe('new@acme.test');
  });

  it('refuses an identity whose email the provider has not verified, writing nothing', async () => {
    const { deps, users, links } = setup(ON, { stored: [active] });
    const error = await failure(settleIdentity(deps, unverified));
    expect(error).toBeInstanceOf(ForbiddenError);
    expect((error as ForbiddenError).code).toBe('EMAIL_NOT_VERIFIED');
    expect(users.size).toBe(1);
    expect(links.size).toBe(0);
  });

  it('activates and links an invited user at the version read, creating nobody and publishing nothing', async () => {
    const { deps, users, linkOf, published, updates } = setup(ON, { stored: [invited] });
    expect(await settleIdentity(deps, identity)).toBe('u_invited');
    expect(updates).toEqual([{ userId: 'u_invited', status: 'ACTIVE', expectedVersion: 3 }]);
    expect(users.size).toBe(1);
    expect(users.get('acme|u_invited')?.status).toBe('ACTIVE');
    expect(linkOf()).toBe('u_invited');
    expect(published).toHaveLength(0);
  });

  it('links an active user without changing them', async () => {
    const { deps, linkOf, updates } = setup(ON, { stored: [active] });
    expect(await settleIdentity(deps, identity)).toBe('u_invited');
    expect(updates).toHaveLength(0);
    expect(linkOf()).toBe('u_invited');
  });

  it('returns a deactivated user without linking or reactivating them', async () => {
    const { deps, links, updates } = setup(ON, { stored: [deactivated] });
    expect(await settleIdentity(deps, identity)).toBe('u_invited');
    expect(links.size + updates.length).toBe(0);
  });

  it('a first request that loses the email claim to a concurrent one links to the winner instead of failing', async () => {
    const winner: User = { ...active, userId: 'u_winner' };
    const { deps, users, linkOf, published } = setup(ON, { raceWith: winner });
    expect(await settleIdentity(deps, identity)).toBe('u_winner');
    expect([...users.keys()]).toEqual(['acme|u_winner']);
    expect(linkOf()).toBe('u_winner');
    expect(published).toHaveLength(0);
  });

  it('an activation that loses to a concurrent change reads the user again and activates that version', async () => {
    const { deps, linkOf, updates } = setup(ON, { stored: [invited], staleUpdates: 1 });
    expect(await settleIdentity(deps, identity)).toBe('u_invited');
    expect(updates).toEqual([{ userId: 'u_invited', status: 'ACTIVE', expectedVersion: 4 }]);
    expect(linkOf()).toBe('u_invited');
  });

  it('gives up after three lost races, rethrowing the last, and links nothing', async () => {
    const { deps, links } = setup(ON, { stored: [invited], staleUpdates: 3 });
    expect(await failure(settleIdentity(deps, identity))).toBeInstanceOf(PreconditionFailedError);
    expect(links.size).toBe(0);
  });
});
