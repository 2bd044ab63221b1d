import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** `npm start` without npm in between, so signals reach the CLI itself. */
function startCli(port: number): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
    cwd: REPO_ROOT,
    env: { ...process.env, PORT: String(port), MUSTER_DATA_DIR: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function collect(child: ChildProcess) {
  const output = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk: Buffer) => {
    output.stdout += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output.stderr += chunk.toString('utf8');
  });
  return output;
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function javaChildrenOf(pid: number): number[] {
  const listing = execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(pid)], { encoding: 'utf8' });
  return listing
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([, command]) => command === 'java')
    .map(([childPid]) => Number(childPid));
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm start (local/start.ts)', () => {
  it('prints one ready line with the API URL and a token command, and exits 0 on SIGINT', async () => {
    const cli = startCli(0);
    const output = collect(cli);
    const exited = once(cli, 'exit');
    try {
      // The ready line and the data line: both, not only the chunk holding `ready`.
      await waitFor(
        () => output.stdout.includes('ready') && output.stdout.trim().split('\n').length >= 2,
        20_000,
      );

      const [readyLine, dataLine] = output.stdout.trim().split('\n');
      expect(readyLine).toMatch(/ready in [\d.]+ s at http:\/\/127\.0\.0\.1:\d+ /);
      expect(readyLine).toMatch(/curl -s -X POST http:\/\/127\.0\.0\.1:\d+\/_local\/token /);
      expect(readyLine).toContain('"tenantId":"local","email":"operator@muster.local"');
      expect(dataLine).toMatch(/throwaway/);
      const apiUrl = /(http:\/\/127\.0\.0\.1:\d+)/.exec(readyLine ?? '')?.[1];
      expect((await fetch(`${apiUrl}/health`)).status).toBe(200);

      const javaPids = javaChildrenOf(cli.pid ?? 0);
      expect(javaPids).toHaveLength(1);
      cli.kill('SIGINT');
      const [code] = await exited;
      expect(code).toBe(0);
      expect(javaPids.filter(isRunning)).toEqual([]);
      expect(output.stderr).not.toContain('[muster-local]');
    } finally {
      // A failed assertion must not leave the CLI (and its java) running.
      if (cli.exitCode === null && cli.signalCode === null) {
        cli.kill('SIGTERM');
        await exited;
      }
    }
  });

  it('fails with one clear line and exit code 1 when the port is taken', async () => {
    const blocker = createServer();
    blocker.listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const address = blocker.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const cli = startCli(port);
      const output = collect(cli);
      const [code] = await once(cli, 'exit');
      expect(code).toBe(1);
      expect(output.stderr.trim().split('\n')).toEqual([
        expect.stringContaining(`port ${port} is already in use`),
      ]);
    } finally {
      blocker.close();
    }
  });
});
