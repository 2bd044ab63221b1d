import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  artifactKeys,
  isTenantKey,
  requireTenantKey,
  tenantPrefix,
} from '../../../../functions/bulk-import/domain/artifact-keys';
import { ForbiddenError } from '../../../../functions/shared/errors';

const FILE_ID = 'f_01jabc2def3ghj4kmn5pqr6st7';
const TASK_ID = 't_01jabc2def3ghj4kmn5pqr6st7';

/** Every key the import writes or hands out, for one tenant. */
function everyKeyOf(tenantId: string): string[] {
  return [
    artifactKeys.upload(tenantId, FILE_ID),
    artifactKeys.issues(tenantId, TASK_ID),
    artifactKeys.validRows(tenantId, TASK_ID),
    artifactKeys.reportCsv(tenantId, TASK_ID),
    artifactKeys.reportXlsx(tenantId, TASK_ID),
    artifactKeys.manifest(tenantId, TASK_ID, 2),
    artifactKeys.batch(tenantId, TASK_ID, 2, 17),
    artifactKeys.succeededExport(tenantId, TASK_ID),
    artifactKeys.failedExport(tenantId, TASK_ID),
    artifactKeys.template(tenantId, new Date('2026-11-22T10:00:00Z'), 'muster-users-template-2026.11.xlsx'),
  ];
}

const tenantIds = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);

describe('tenant keys', () => {
  it('every key the import builds is under its tenant prefix, and is that tenant key only', () => {
    fc.assert(
      fc.property(tenantIds, tenantIds, (tenantId, other) => {
        for (const key of everyKeyOf(tenantId)) {
          expect(key.startsWith(tenantPrefix(tenantId))).toBe(true);
          expect(isTenantKey(tenantId, key)).toBe(true);
          if (other !== tenantId) expect(isTenantKey(other, key)).toBe(false);
        }
      }),
    );
  });

  it('a prefix of another tenant id is not that tenant: acme is not acme-eu', () => {
    expect(isTenantKey('acme', artifactKeys.upload('acme-eu', FILE_ID))).toBe(false);
    expect(isTenantKey('acme-eu', artifactKeys.upload('acme', FILE_ID))).toBe(false);
  });

  it('refuses traversal, encoded traversal, separators and empty segments, wherever they sit', () => {
    for (const key of [
      `tenants/acme/uploads/../../globex/uploads/${FILE_ID}`,
      `tenants/acme/../globex/uploads/${FILE_ID}`,
      'tenants/acme/..',
      'tenants/acme/.',
      'tenants/acme/./uploads',
      `tenants/acme/%2e%2e%2fglobex/uploads/${FILE_ID}`,
      `tenants/acme/uploads%2F..%2F..%2Fglobex`,
      `tenants/acme/uploads\\..\\..\\globex`,
      'tenants/acme//uploads',
      'tenants/acme/',
      `tenants/acme/uploads/${FILE_ID}\u0000`,
      `tenants/acme/uploads/${FILE_ID}/`,
      `/tenants/acme/uploads/${FILE_ID}`,
      `tenants/globex/uploads/${FILE_ID}`,
      `uploads/${FILE_ID}`,
    ]) {
      expect(isTenantKey('acme', key), key).toBe(false);
    }
  });

  it('no key with a dot-only segment is ever a tenant key, whatever surrounds it', () => {
    const segment = fc.stringMatching(/^[A-Za-z0-9._-]{1,12}$/);
    fc.assert(
      fc.property(fc.array(segment), fc.constantFrom('.', '..'), fc.array(segment), (before, dots, after) => {
        expect(isTenantKey('acme', ['tenants', 'acme', ...before, dots, ...after].join('/'))).toBe(false);
      }),
    );
  });

  it('refuses a tenant id that could not come from a token (a slash, a dot segment, empty, too long)', () => {
    for (const tenantId of ['acme/../globex', '..', '', 'a'.repeat(65), 'ac me']) {
      expect(isTenantKey(tenantId, `${tenantPrefix(tenantId)}uploads/${FILE_ID}`), tenantId).toBe(false);
    }
  });

  it('requireTenantKey hands back a tenant key, and refuses any other with 403 KEY_OUTSIDE_TENANT', () => {
    const key = artifactKeys.reportCsv('acme', TASK_ID);
    expect(requireTenantKey('acme', key)).toBe(key);
    const refusal = (() => {
      try {
        requireTenantKey('globex', key);
      } catch (error) {
        return error;
      }
    })();
    expect(refusal).toBeInstanceOf(ForbiddenError);
    expect(refusal).toMatchObject({ code: 'KEY_OUTSIDE_TENANT' });
  });
});
