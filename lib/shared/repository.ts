import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: config names handler entries, ASL files and migrations relative to it. */
export const REPOSITORY_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function fromRepositoryRoot(relativePath: string): string {
  return resolve(REPOSITORY_ROOT, relativePath);
}
