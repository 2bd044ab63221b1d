import { describe, expect, it } from 'vitest';
import type { Caller } from '../../../functions/identity/caller';
import { BUILT_IN_ROLES } from '../../../functions/identity/domain/roles';
import type { User } from '../../../functions/identity/domain/user';
import {
  type AdminUserLifecycleDeps,
  changeUserStatus,
} from '../../../functions/identity/use-cases/admin-user-lifecycle';
import { PreconditionFailedError } from '../../../functions/shared/errors';
import type { DomainEvent } from '../../../functions/shared/events/domain-event';

const NOW = new Date('2026-11-22T10:00:00.000Z');
const catalog = new Map(BUILT_IN_ROLES.map((role) => [role.name, role]));
const admin = {
  tenantId: 'acme',
  currentUserId: 'u_admin',
  access: { roles: ['tenant_admin'], permissions: new Set(catalog.get('tenant_admin')?.permissions) },
  audit: { actor: { userId: 'u_admin', tenantId: 'acme' }, correlationId: 'corr-1', sourceIp: '127.0.0.1' },
} as unknown as Caller;

const target: User = {
  tenantId: 'acme',
  userId: 'u_target',
  email: 'target@acme.test',
  status: 'ACTIVE',
  roles: ['operator'],
  groups: [],
  createdAt: NOW.toISOString(),
  updatedAt: NOW.toISOString(),
  version: 4,
};

/** A directory where someone else changes the user `concurrentChanges` times just before each of our writes. */
function racingDirectory(concurrentChanges: number) {
  let stored = target;
  let races = concurrentChanges;
  const writes: number[] = [];
  const directory: AdminUserLifecycleDeps['directory'] = {
    createUser: async () => {},
    getUser: async () => stored,
    updateUser: async (_tenantId, _userId, changes, expectedVersion, now) => {
      writes.push(expectedVersion);
      if (races > 0) {
        races -= 1;
        stored = { ...stored, version: stored.version + 1 };
        throw new PreconditionFailedError('VERSION_MISMATCH', 'stale');
      }
      stored = { ...stored, ...changes, updatedAt: now, version: stored.version + 1 };
      return stored;
    },
  };
  return { directory, writes };
}

function depsWith(directory: AdminUserLifecycleDeps['directory']) {
  const published: DomainEvent[] = [];
  const deps: AdminUserLifecycleDeps = {
    directory,
    roleCatalog: { roles: async () => catalog },
    publish: async (events) => {
      published.push(...events);
    },
    clock: () => NOW,
  };
  return { deps, published };
}

describe('changeUserStatus', () => {
  it('reads again and retries when a concurrent change moved the version', async () => {
    const { directory, writes } = racingDirectory(2);
    const { deps, published } = depsWith(directory);
    const updated = await changeUserStatus(deps, admin, 'u_target', 'deactivate');
    expect(writes).toEqual([4, 5, 6]);
    expect(updated).toMatchObject({ status: 'DEACTIVATED', version: 7 });
    expect(published).toHaveLength(1);
    expect(published[0]?.detail).toMatchObject({
      eventId: 'evt_target_v7',
      data: { userId: 'u_target', previousStatus: 'ACTIVE', version: 7 },
    });
  });

  it('gives up with 412 after three lost races, publishing nothing', async () => {
    const { directory, writes } = racingDirectory(3);
    const { deps, published } = depsWith(directory);
    await expect(changeUserStatus(deps, admin, 'u_target', 'deactivate')).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
    expect(writes).toHaveLength(3);
    expect(published).toEqual([]);
  });
});
