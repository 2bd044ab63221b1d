import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * Where the engines keep their data. Persisted: a directory the developer named, kept as is.
 * Throwaway (the default): a temporary directory removed on stop — and on any exit, so a crash
 * does not leave it behind either.
 */
export interface DataDirectory {
  readonly root: string;
  readonly persistent: boolean;
  dispose(): Promise<void>;
}

export async function openDataDirectory(persistAt: string | undefined): Promise<DataDirectory> {
  if (persistAt !== undefined) {
    const root = resolve(persistAt);
    await mkdir(root, { recursive: true });
    return { root, persistent: true, dispose: async () => {} };
  }
  const root = await mkdtemp(join(tmpdir(), 'muster-local-'));
  const removeOnExit = () => rmSync(root, { recursive: true, force: true });
  process.on('exit', removeOnExit);
  return {
    root,
    persistent: false,
    async dispose() {
      process.off('exit', removeOnExit);
      await rm(root, { recursive: true, force: true });
    },
  };
}
