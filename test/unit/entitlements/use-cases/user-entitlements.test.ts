import { describe, expect, it } from 'vitest';
import type { Bundle } from '../../../../functions/entitlements/domain/bundle';
import { listUserEntitlements } from '../../../../functions/entitlements/use-cases/user-entitlements';
import type { User } from '../../../../functions/identity/domain/user';
import { NotFoundError } from '../../../../functions/shared/errors';

import { entitlementOf } from '../support/entitlement';

const NOW = new Date('2026-11-22T10:00:00Z');
const USER = { tenantId: 'acme', userId: 'u_1' } as User;
/** With no end: in force until revoked. */
const { validUntil: _noEnd, ...GRANT } = entitlementOf('viewer', { entitlementId: 'e_1' });

function deps(users: User[]) {
  const asked: string[] = [];
  return {
    asked,
    directory: {
      getUser: async (tenantId: string, userId: string) =>
        users.find((user) => user.tenantId === tenantId && user.userId === userId),
    },
    entitlements: {
      listForUser: async (tenantId: string, userId: string) => {
        asked.push(`${tenantId}/${userId}`);
        return tenantId === 'acme' && userId === 'u_1' ? [GRANT] : [];
      },
    },
    bundles: { list: async () => [{ bundleId: 'viewer', name: 'Viewer' } as Bundle] },
    now: () => NOW,
  };
}

describe('listUserEntitlements', () => {
  it('answers the user’s grants named from the tenant’s bundles', async () => {
    const wired = deps([USER]);
    expect(await listUserEntitlements(wired, 'acme', 'u_1')).toEqual({
      userId: 'u_1',
      items: [expect.objectContaining({ entitlementId: 'e_1', bundleName: 'Viewer', inForce: true })],
    });
    expect(wired.asked).toEqual(['acme/u_1']);
  });

  it('answers USER_NOT_FOUND for a user the tenant does not have, even one another tenant has', async () => {
    const wired = deps([{ ...USER, tenantId: 'other' }]);
    const refused = listUserEntitlements(wired, 'acme', 'u_1');
    await expect(refused).rejects.toBeInstanceOf(NotFoundError);
    await expect(refused).rejects.toMatchObject({ code: 'USER_NOT_FOUND' });
  });
});
