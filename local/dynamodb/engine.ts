import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../environment';
import { findFreePort, LOOPBACK } from '../net';

export interface DynamoDbEngine {
  readonly endpoint: string;
  stop(): Promise<void>;
}

export interface DynamoDbEngineOptions {
  readonly repoRoot: string;
  /** Absent: in memory, gone on stop. */
  readonly dataDir?: string;
  /** Absent: any free port. */
  readonly port?: number;
}

/** Raised when `java` is not on PATH; `start.ts` prints its message as is. */
export class JavaMissingError extends Error {
  constructor() {
    super(
      'Java was not found on PATH. DynamoDB Local needs Java 17 or newer: install it ' +
        '(e.g. `sudo apt-get install openjdk-17-jre-headless` or `brew install openjdk@17`) and run again.',
    );
    this.name = 'JavaMissingError';
  }
}

const READY_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 3_000;
const OUTPUT_LINES_KEPT = 20;

/** Starts DynamoDB Local (the jar `scripts/install-dynamodb-local.mjs` unpacks) and waits until it answers. */
export async function startDynamoDbLocal(options: DynamoDbEngineOptions): Promise<DynamoDbEngine> {
  const home = join(options.repoRoot, 'node_modules', '.cache', 'dynamodb-local');
  const jar = join(home, 'DynamoDBLocal.jar');
  if (!existsSync(jar)) {
    throw new Error(
      `DynamoDB Local is not installed (${jar} is missing): run \`node scripts/install-dynamodb-local.mjs\`.`,
    );
  }
  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });

  const port = options.port ?? (await findFreePort());
  const storage = options.dataDir ? ['-dbPath', options.dataDir] : ['-inMemory'];
  const child = spawn(
    'java',
    [
      // A short-lived dev server: the client compiler and serial GC start the JVM noticeably faster.
      '-XX:TieredStopAtLevel=1',
      '-XX:+UseSerialGC',
      `-Djava.library.path=${join(home, 'DynamoDBLocal_lib')}`,
      '-jar',
      jar,
      '-port',
      String(port),
      '-sharedDb',
      '-disableTelemetry',
      ...storage,
    ],
    { cwd: home, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output = collectOutput(child);
  const killOnExit = () => child.kill('SIGKILL');
  // Whatever way this process ends, it must not leave a java process behind.
  process.on('exit', killOnExit);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const spawnFailure = new Promise<never>((_, reject) =>
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'ENOENT' ? new JavaMissingError() : error);
    }),
  );
  spawnFailure.catch(() => {});

  const endpoint = `http://${LOOPBACK}:${port}`;
  async function stop(): Promise<void> {
    process.off('exit', killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  }

  const startUp = new AbortController();
  try {
    await Promise.race([
      waitUntilAnswering(endpoint, startUp.signal),
      spawnFailure,
      exited.then(() => {
        throw new Error(`DynamoDB Local exited during start-up on port ${port}:\n${output()}`);
      }),
    ]);
  } catch (error) {
    await stop();
    throw error;
  } finally {
    startUp.abort();
  }
  return { endpoint, stop };
}

function collectOutput(child: ChildProcess): () => string {
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - OUTPUT_LINES_KEPT));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => lines.join('\n');
}

async function waitUntilAnswering(endpoint: string, signal: AbortSignal): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  try {
    while (!signal.aborted) {
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch (error) {
        if (Date.now() > deadline) {
          throw new Error(
            `DynamoDB Local did not answer on ${endpoint} within ${READY_TIMEOUT_MS / 1000} s`,
            {
              cause: error,
            },
          );
        }
        await delay(100);
      }
    }
  } finally {
    client.destroy();
  }
}
