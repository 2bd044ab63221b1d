import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiUrl } from '../support/api';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `muster …` as an operator would (`cli/bin.mjs`, the package's bin), against the shared stack. */
export function muster(args: readonly string[]): Promise<CliRun> {
  return runAgainstStack(process.execPath, ['cli/bin.mjs', ...args]);
}

/** Runs the seed's ops script `scripts/ops/bulk-import/retry_failed.sh`, against the shared stack. */
export function retryFailedScript(args: readonly string[]): Promise<CliRun> {
  return runAgainstStack('bash', ['scripts/ops/bulk-import/retry_failed.sh', ...args]);
}

async function runAgainstStack(command: string, args: readonly string[]): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = { ...process.env, MUSTER_API_URL: apiUrl };
  delete env.MUSTER_TOKEN;
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const [code] = await once(child, 'close');
  return { code, stdout, stderr };
}

/** The global options that make the local issuer mint a token for this user of this tenant. */
export function as(tenantId: string, email: string, roles: string): string[] {
  return ['--tenant', tenantId, '--email', email, '--roles', roles];
}
