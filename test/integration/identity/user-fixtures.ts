import { newId } from '../../../functions/identity/domain/ids';
import type { User } from '../../../functions/identity/domain/user';

/** The fixed creation time of fixture users, so listings and views compare exactly. */
export const FIXTURE_TIME = '2026-11-22T10:00:00.000Z';

/** An active member of `tenantId`, as the directory would store them, with `overrides` on top. */
export function fixtureUser(tenantId: string, email: string, overrides: Partial<User> = {}): User {
  return {
    tenantId,
    userId: newId('u'),
    email,
    status: 'ACTIVE',
    roles: ['member'],
    groups: [],
    createdAt: FIXTURE_TIME,
    updatedAt: FIXTURE_TIME,
    version: 1,
    ...overrides,
  };
}
