import { describe, expect, it } from 'vitest';
import { artifactKeys, parseUploadKey, taskIdOf } from '../../../functions/bulk-import/domain/artifact-keys';
import { importedUserId } from '../../../functions/bulk-import/use-cases/provision-batch';

describe('importedUserId', () => {
  it('is the same for the same (tenant, task, row), so a replay finds the user it created', () => {
    expect(importedUserId('acme', 't_1', 2)).toBe(importedUserId('acme', 't_1', 2));
    expect(importedUserId('acme', 't_1', 2)).toMatch(/^u_[a-z2-7]{26}$/);
  });

  it('differs for another row, task or tenant', () => {
    const ids = new Set([
      importedUserId('acme', 't_1', 2),
      importedUserId('acme', 't_1', 3),
      importedUserId('acme', 't_2', 2),
      importedUserId('globex', 't_1', 2),
    ]);
    expect(ids.size).toBe(4);
  });
});

describe('artifact keys', () => {
  const fileId = 'f_01jabc2def3ghj4kmn5pqr6st7';

  it('round-trips an upload key to its tenant and file', () => {
    expect(parseUploadKey(artifactKeys.upload('acme', fileId))).toEqual({ tenantId: 'acme', fileId });
  });

  it('refuses keys we never handed out', () => {
    for (const key of [
      `tenants/acme/uploads/${fileId}/../../other`,
      `tenants/acme/uploads/${fileId}.csv`,
      'tenants/acme/uploads/f_short',
      `tenants/ac#me/uploads/${fileId}`,
      `other/acme/uploads/${fileId}`,
    ]) {
      expect(parseUploadKey(key)).toBeUndefined();
    }
  });

  it('derives one task per file', () => {
    expect(taskIdOf(fileId)).toBe('t_01jabc2def3ghj4kmn5pqr6st7');
  });
});
