import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { consoleBuildIsCurrent } from '../../../local/console-build';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** A repository with the given files, each last changed at the given second. */
function repositoryWith(files: Record<string, number>): string {
  const root = mkdtempSync(join(tmpdir(), 'muster-console-build-'));
  roots.push(root);
  for (const [path, changedAt] of Object.entries(files)) {
    const file = join(root, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, path);
    utimesSync(file, changedAt, changedAt);
  }
  // Directories' own times would otherwise be now, newer than every build.
  for (const directory of ['web/src', 'web/src/pages', 'web', 'clients', 'web/dist']) {
    if (existsSync(join(root, directory))) utimesSync(join(root, directory), 1, 1);
  }
  return root;
}

const SOURCES = {
  'web/src/main.tsx': 100,
  'web/src/pages/UsersPage.tsx': 100,
  'web/index.html': 100,
  'web/vite.config.ts': 100,
  'web/tsconfig.json': 100,
  'clients/muster-api.d.ts': 100,
  'package-lock.json': 100,
};

describe('consoleBuildIsCurrent', () => {
  it('is false with no build', () => {
    expect(consoleBuildIsCurrent(repositoryWith(SOURCES))).toBe(false);
  });

  it('is true when the build is newer than every source', () => {
    expect(consoleBuildIsCurrent(repositoryWith({ ...SOURCES, 'web/dist/index.html': 200 }))).toBe(true);
  });

  it('is false when a page, the API types, the config or the dependencies changed after the build', () => {
    for (const changed of [
      'web/src/pages/UsersPage.tsx',
      'clients/muster-api.d.ts',
      'web/vite.config.ts',
      'package-lock.json',
    ]) {
      const root = repositoryWith({ ...SOURCES, [changed]: 300, 'web/dist/index.html': 200 });
      expect(consoleBuildIsCurrent(root), changed).toBe(false);
    }
  });
});
