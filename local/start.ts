import './polyfills';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { buildConsole, consoleBuildIsCurrent } from './console-build';
import { JavaMissingError } from './dynamodb/engine';
import { LOCAL_NAMES } from './environment';
import { PortInUseError } from './net';
import { type LocalStack, startLocalStack } from './stack';

/**
 * `npm start`: the whole of Muster on this machine. Options: `--data-dir <path>` (or
 * MUSTER_DATA_DIR) keeps data between runs; PORT picks the API port (default 3000, 0 = any).
 */
const DEFAULT_PORT = 3000;
const REPEATED_SIGNAL_WINDOW_MS = 500;

const portSchema = z.coerce.number().int().min(0).max(65_535);

async function main(): Promise<void> {
  // Lambda runs Node 22; the SDK's notice that it will drop Node 20 is noise on a developer's machine.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { values } = parseArgs({ options: { 'data-dir': { type: 'string' } } });
  const port = portSchema.safeParse(process.env.PORT ?? DEFAULT_PORT);
  if (!port.success) fail(`PORT must be a port number (0-65535), got "${process.env.PORT}".`);
  const dataDir = values['data-dir'] ?? (process.env.MUSTER_DATA_DIR || undefined);

  let stack: LocalStack | undefined;
  let stoppingSince: number | undefined;
  const shutDown = async () => {
    if (stoppingSince !== undefined) {
      // One Ctrl-C under `npm start` arrives several times (the terminal, npm and tsx all pass it
      // on); only a later one is the developer pressing again.
      if (performance.now() - stoppingSince < REPEATED_SIGNAL_WINDOW_MS) return;
      console.error('Forced exit.');
      process.exit(130);
    }
    stoppingSince = performance.now();
    // Still starting: the exit hooks kill DynamoDB Local and remove temporary data.
    if (!stack) process.exit(0);
    console.log('Stopping…');
    await stack.stop();
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutDown());

  const startedAt = performance.now();
  try {
    stack = await startLocalStack({
      ports: { api: port.data },
      runSchedules: true,
      ...(dataDir ? { dataDir } : {}),
    });
  } catch (error) {
    fail(reasonOf(error, port.data));
  }
  const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
  const tokenRequest = JSON.stringify({
    tenantId: LOCAL_NAMES.operatorTenantId,
    email: LOCAL_NAMES.operatorEmail,
  });
  console.log(
    `Muster local stack ready in ${seconds} s at ${stack.apiUrl} — console: ${stack.consoleUrl} — get a token: ` +
      `curl -s -X POST ${stack.apiUrl}/_local/token -H 'content-type: application/json' -d '${tokenRequest}'`,
  );
  console.log(
    stack.dataDir.persistent
      ? `Data is persisted in ${stack.dataDir.path}; Ctrl-C stops.`
      : 'Data is throwaway (removed on exit; keep it with --data-dir <path> or MUSTER_DATA_DIR); Ctrl-C stops.',
  );
  // The API is up first; the console follows a few seconds later (its page asks to retry meanwhile).
  await buildConsoleFor(stack.consoleUrl);
}

/** Builds the console when it is missing or stale; whatever goes wrong, the API keeps running. */
async function buildConsoleFor(consoleUrl: string): Promise<void> {
  try {
    if (consoleBuildIsCurrent()) return;
    console.log('Building the console (as npm run web:build does)…');
    await buildConsole();
    console.log(`Console built: ${consoleUrl}`);
  } catch (error) {
    console.error(
      `The console did not build (${error instanceof Error ? error.message : String(error)}); the API keeps running. ` +
        'npm run web:build shows the whole error.',
    );
  }
}

function reasonOf(error: unknown, port: number): string {
  if (error instanceof PortInUseError && error.port === port) {
    return `Cannot start: port ${port} is already in use. Stop what uses it, or pick another port: PORT=${port + 1} npm start`;
  }
  if (error instanceof JavaMissingError) return `Cannot start: ${error.message}`;
  return `Cannot start the local stack: ${error instanceof Error ? error.message : String(error)}`;
}

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

await main();
