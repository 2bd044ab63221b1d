import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIG_FILES, SMALL_FILES } from '../../fixtures/hostile/manifest';
import { principal, uniqueTenant } from '../support/api';
import { expectOutcome, expectUploadRefused, HOSTILE_DIR, uploadHostile } from './hostile-support';

describe('the hostile file corpus (test/fixtures/hostile/manifest.ts)', () => {
  it('commits every small file the manifest lists and lists every file committed', async () => {
    const committed = (await readdir(HOSTILE_DIR)).filter((name) => !name.endsWith('.ts')).sort();
    expect(committed).toEqual(SMALL_FILES.map((entry) => entry.file).sort());
    expect(BIG_FILES.every((entry) => entry.generate !== undefined)).toBe(true);
  });

  it.each(SMALL_FILES.map((entry) => [entry.file, entry] as const))(
    '%s: the outcome the manifest gives, and nothing provisioned from a rejected file',
    async (_, entry) => {
      const tenantId = uniqueTenant('hostile');
      const admin = await principal(tenantId, 'admin@acme.test', ['tenant_admin']);
      const path = join(HOSTILE_DIR, entry.file);
      if (entry.outcome.kind === 'refused-at-upload') {
        await expectUploadRefused(admin, entry.file, (await stat(path)).size, entry.outcome);
        return;
      }
      const { taskId } = await uploadHostile(admin, entry, path);
      await expectOutcome(admin, tenantId, taskId, entry.outcome);
    },
  );
});
