import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DirectoryRepository } from '../../../functions/identity/adapters/directory-repository';
import { directoryKeys } from '../../../functions/identity/adapters/keys';
import { newId } from '../../../functions/identity/domain/ids';
import type { User } from '../../../functions/identity/domain/user';
import { AppError } from '../../../functions/shared/errors';
import { documentClient, TABLE_NAME, uniqueTenant } from '../support/api';

const client = documentClient();
const directory = new DirectoryRepository(client, TABLE_NAME);
const NOW = '2026-11-22T10:00:00.000Z';

function newUser(tenantId: string, email: string, overrides: Partial<User> = {}): User {
  return {
    tenantId,
    userId: newId('u'),
    email,
    status: 'INVITED',
    roles: ['member'],
    groups: [],
    createdAt: NOW,
    updatedAt: NOW,
    version: 1,
    ...overrides,
  };
}

async function failure(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return `${error.kind}:${error.code}`;
}

describe('DirectoryRepository on DynamoDB Local', () => {
  it('stores a user and reads it back whole, by id, email and subject', async () => {
    const tenantId = uniqueTenant();
    const user = newUser(tenantId, 'ann@acme.test', {
      givenName: 'Ann',
      department: 'Sales',
      roles: ['member', 'operator'],
    });
    await directory.createUser(user, { issuer: 'https://idp.test', subject: 'idp-123' });
    expect(await directory.getUser(tenantId, user.userId)).toEqual({
      ...user,
      roles: ['member', 'operator'],
    });
    expect(await directory.findUserIdByEmail(tenantId, 'ann@acme.test')).toBe(user.userId);
    expect(await directory.findUserIdBySubject(tenantId, 'https://idp.test', 'idp-123')).toBe(user.userId);
    expect(await directory.findUserIdBySubject(tenantId, 'https://other.test', 'idp-123')).toBeUndefined();
  });

  it('keeps an email unique per tenant under concurrent creation: exactly one wins', async () => {
    const tenantId = uniqueTenant();
    const attempts = Array.from({ length: 8 }, () => newUser(tenantId, 'race@acme.test'));
    const outcomes = await Promise.allSettled(attempts.map((user) => directory.createUser(user)));
    const winners = attempts.filter((_, index) => outcomes[index]?.status === 'fulfilled');
    expect(winners).toHaveLength(1);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected')
        expect(outcome.reason).toMatchObject({ code: 'EMAIL_TAKEN', kind: 'CONFLICT' });
    }
    expect(await directory.findUserIdByEmail(tenantId, 'race@acme.test')).toBe(winners[0]?.userId);
    // The losers left nothing behind.
    for (const loser of attempts.filter((user) => user !== winners[0])) {
      expect(await directory.getUser(tenantId, loser.userId)).toBeUndefined();
    }
  });

  it('lets the same email exist in two tenants', async () => {
    await directory.createUser(newUser(uniqueTenant(), 'shared@acme.test'));
    await expect(directory.createUser(newUser(uniqueTenant(), 'shared@acme.test'))).resolves.toBeUndefined();
  });

  it('updates under optimistic concurrency: the current version wins, a stale one gets 412', async () => {
    const tenantId = uniqueTenant();
    const user = newUser(tenantId, 'bob@acme.test');
    await directory.createUser(user);
    const updated = await directory.updateUser(tenantId, user.userId, { displayName: 'Bob B.' }, 1, NOW);
    expect(updated).toMatchObject({ displayName: 'Bob B.', version: 2 });
    expect(await failure(directory.updateUser(tenantId, user.userId, { displayName: 'Stale' }, 1, NOW))).toBe(
      'PRECONDITION_FAILED:VERSION_MISMATCH',
    );
    expect((await directory.getUser(tenantId, user.userId))?.displayName).toBe('Bob B.');
  });

  it('answers 404 for an update of a user that does not exist, and never creates one', async () => {
    const tenantId = uniqueTenant();
    expect(await failure(directory.updateUser(tenantId, 'u_missing', { locale: 'en' }, 1, NOW))).toBe(
      'NOT_FOUND:USER_NOT_FOUND',
    );
    expect(await directory.getUser(tenantId, 'u_missing')).toBeUndefined();
  });

  it('binds roles idempotently: re-binding held roles writes nothing, not even a version bump', async () => {
    const tenantId = uniqueTenant();
    const user = newUser(tenantId, 'carl@acme.test');
    await directory.createUser(user);
    await directory.addRoles(tenantId, user.userId, ['operator'], NOW);
    expect(await directory.getUser(tenantId, user.userId)).toMatchObject({
      roles: ['member', 'operator'],
      version: 2,
    });
    await directory.addRoles(tenantId, user.userId, ['operator', 'member'], '2030-01-01T00:00:00.000Z');
    expect(await directory.getUser(tenantId, user.userId)).toMatchObject({
      roles: ['member', 'operator'],
      version: 2,
      updatedAt: NOW,
    });
    await directory.addRoles(tenantId, user.userId, ['member', 'tenant_admin'], NOW);
    expect(await directory.getUser(tenantId, user.userId)).toMatchObject({
      roles: ['member', 'operator', 'tenant_admin'],
      version: 3,
    });
  });

  it('refuses to bind roles to a user that does not exist', async () => {
    expect(await failure(directory.addRoles(uniqueTenant(), 'u_missing', ['member'], NOW))).toBe(
      'NOT_FOUND:USER_NOT_FOUND',
    );
  });

  it("adds a group member and the user's group together, or neither when the group is missing", async () => {
    const tenantId = uniqueTenant();
    const user = newUser(tenantId, 'dee@acme.test');
    await directory.createUser(user);
    expect(await failure(directory.addGroupMember(tenantId, 'ghost', user.userId, NOW))).toBe(
      'NOT_FOUND:GROUP_NOT_FOUND',
    );
    const member = await client.send(
      new GetCommand({
        TableName: TABLE_NAME,
        Key: directoryKeys.groupMember(tenantId, 'ghost', user.userId),
      }),
    );
    expect(member.Item).toBeUndefined();
    expect((await directory.getUser(tenantId, user.userId))?.groups).toEqual([]);

    await directory.putGroup(tenantId, { name: 'approvers', roles: ['security_approver'] }, NOW);
    await directory.addGroupMember(tenantId, 'approvers', user.userId, NOW);
    expect((await directory.getUser(tenantId, user.userId))?.groups).toEqual(['approvers']);
    const versionAfterJoining = (await directory.getUser(tenantId, user.userId))?.version;
    await directory.addGroupMember(tenantId, 'approvers', user.userId, NOW);
    expect((await directory.getUser(tenantId, user.userId))?.version).toBe(versionAfterJoining);
    expect(await failure(directory.addGroupMember(tenantId, 'approvers', 'u_missing', NOW))).toBe(
      'NOT_FOUND:USER_NOT_FOUND',
    );
    expect(await directory.getGroups(tenantId, ['approvers', 'ghost'])).toEqual([
      { name: 'approvers', roles: ['security_approver'] },
    ]);
  });

  it('creates a user with its groups in one transaction, or nothing at all when a group is missing', async () => {
    const tenantId = uniqueTenant();
    await directory.putGroup(tenantId, { name: 'eng', roles: [] }, NOW);
    await directory.putGroup(tenantId, { name: 'london', roles: [] }, NOW);
    const member = (user: User, group: string) =>
      client.send(
        new GetCommand({
          TableName: TABLE_NAME,
          Key: directoryKeys.groupMember(tenantId, group, user.userId),
        }),
      );

    const joined = newUser(tenantId, 'eve@acme.test', { groups: ['eng', 'london'] });
    await directory.createUser(joined);
    expect([...((await directory.getUser(tenantId, joined.userId))?.groups ?? [])].sort()).toEqual([
      'eng',
      'london',
    ]);
    expect((await member(joined, 'eng')).Item).toMatchObject({ userId: joined.userId });
    expect((await member(joined, 'london')).Item).toMatchObject({ userId: joined.userId });

    const refused = newUser(tenantId, 'fay@acme.test', { groups: ['eng', 'ghost'] });
    expect(await failure(directory.createUser(refused))).toBe('NOT_FOUND:GROUP_NOT_FOUND');
    expect(await directory.getUser(tenantId, refused.userId)).toBeUndefined();
    expect(await directory.findUserIdByEmail(tenantId, 'fay@acme.test')).toBeUndefined();
    expect((await member(refused, 'eng')).Item).toBeUndefined();
  });

  it('refuses to link a subject that already belongs to another user', async () => {
    const tenantId = uniqueTenant();
    await directory.linkSubject(tenantId, 'https://idp.test', 'sub-1', 'u_a', NOW);
    await directory.linkSubject(tenantId, 'https://idp.test', 'sub-1', 'u_a', NOW);
    expect(await failure(directory.linkSubject(tenantId, 'https://idp.test', 'sub-1', 'u_b', NOW))).toBe(
      'CONFLICT:SUBJECT_LINKED',
    );
  });
});
