// DynamoDB Local (AWS's own engine, the only local one with transactions) is not published
// to npm on its own; amplify-dynamodb-simulator ships the jar under emulator/. We take the
// jar from that tarball instead of installing the package, whose dependency tree (the
// Amplify CLI core) we do not want. The tarball comes from the npm registry and is checked
// against a pinned integrity hash.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE = 'amplify-dynamodb-simulator@2.9.30';
const INTEGRITY =
  'sha512-xTeeRLvzEfqyd5lh3bH4c0kHvSHHmmhD5ZDsHFKAQ5g2Zl6JqlFdutaQhCLHzxEp6Ry1o7TB6niIoXuQAnSewQ==';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'node_modules', '.cache', 'dynamodb-local');
const marker = join(target, 'SOURCE');

if (existsSync(marker) && readFileSync(marker, 'utf8') === PACKAGE) {
  process.exit(0);
}

const work = mkdtempSync(join(tmpdir(), 'muster-ddb-'));
try {
  const packed = execFileSync('npm', ['pack', PACKAGE, '--silent', '--pack-destination', work], {
    cwd: work,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  })
    .trim()
    .split('\n')
    .pop();
  const tarball = join(work, packed);
  const digest = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
  if (digest !== INTEGRITY) {
    throw new Error(`${PACKAGE} integrity mismatch: expected ${INTEGRITY}, got ${digest}`);
  }
  execFileSync('tar', ['-xzf', tarball, '-C', work, 'package/emulator']);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(dirname(target), { recursive: true });
  renameSync(join(work, 'package', 'emulator'), target);
  writeFileSync(marker, PACKAGE);
  console.log(`DynamoDB Local installed from ${PACKAGE}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
