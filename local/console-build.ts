import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'vite';
import { CONSOLE_DIST_DIRECTORY } from '../config/console-hosting';
import { fromRepositoryRoot, REPOSITORY_ROOT } from '../lib/shared/repository';

/** What the console build is made from: its sources, its config and the API types it compiles against. */
const CONSOLE_SOURCES = [
  'web/src',
  'web/index.html',
  'web/vite.config.ts',
  'web/tsconfig.json',
  'clients/muster-api.d.ts',
  // A new React or Vite after `npm ci` changes the bundle too.
  'package-lock.json',
];

/** True when web/dist holds a build at least as new as every console source. */
export function consoleBuildIsCurrent(repositoryRoot = REPOSITORY_ROOT): boolean {
  const index = join(repositoryRoot, CONSOLE_DIST_DIRECTORY, 'index.html');
  if (!existsSync(index)) return false;
  const builtAt = statSync(index).mtimeMs;
  return CONSOLE_SOURCES.every((source) => newestChange(join(repositoryRoot, source)) <= builtAt);
}

/**
 * The build `npm run web:build` makes, in this process. Vite bundles whatever NODE_ENV says (vitest
 * sets `test`, which would bundle React's development build), so the build sees production.
 */
export async function buildConsole(): Promise<void> {
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  const startedAt = new Date();
  try {
    await build({
      configFile: fromRepositoryRoot('web/vite.config.ts'),
      logLevel: 'warn',
      mode: 'production',
    });
    // The build is as new as the sources it read: one saved while it ran is newer, so it counts as
    // a change the next time.
    const index = fromRepositoryRoot(`${CONSOLE_DIST_DIRECTORY}/index.html`);
    utimesSync(index, startedAt, startedAt);
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
}

function newestChange(path: string): number {
  if (!existsSync(path)) return 0;
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return readdirSync(path).reduce(
    (newest, entry) => Math.max(newest, newestChange(join(path, entry))),
    stats.mtimeMs,
  );
}
