import { ensurePrincipal } from '../../identity/use-cases/ensure-principal';
import type { Migration } from '../migration';

/** Issuer recorded on the operator's link; a real identity provider links its own subject on first sign-in. */
const MIGRATION_ISSUER = 'muster:migration';

export const backfillOperatorSuperuser: Migration = {
  id: '0002-backfill-operator-superuser',
  description: 'Backfill a superuser linked to the existing operator account (seed 003).',
  async up({ directory, operator, now }) {
    await ensurePrincipal(
      { directory, clock: now },
      {
        tenantId: operator.tenantId,
        email: operator.email,
        roles: ['superuser', 'operator'],
        issuer: MIGRATION_ISSUER,
      },
    );
  },
};
