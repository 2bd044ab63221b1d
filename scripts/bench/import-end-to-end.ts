// Part of `npm run bench`: the wall time of a 10,000-row import end to end on the local stack
// (upload → validation → commit → provisioning → welcome emails → finalize), against raw
// DynamoDB Local BatchWriteItem of as many items on the same engine in the same run. Not a test.
import '../../local/polyfills';
import { z } from 'zod';
import { startLocalStack } from '../../local/stack';
import { importThroughApi } from './import-flow';
import { benchApi, benchToken, rawBatchWrite, secondsSince as seconds } from './local-stack-bench';

const ROWS = z.coerce.number().int().positive().default(10_000).parse(process.env.BENCH_IMPORT_ROWS);
const TARGET_SECONDS = 60;
const SEND_WELCOME = process.env.BENCH_IMPORT_WELCOME !== 'false';
// Far past the target: only a stuck run reaches it, and the bench then ends instead of waiting on.
const PHASE_DEADLINE_MS = 15 * 60_000;

process.env.LOG_LEVEL ??= 'ERROR';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const stack = await startLocalStack();
const api = benchApi(stack);

function rawBatchWrites(): Promise<number> {
  return rawBatchWrite(
    stack,
    Array.from({ length: ROWS }, (_, index) => ({
      PK: `BENCH#USER#${index}`,
      SK: 'USER',
      email: `raw${index}@bench.test`,
      givenName: `Given${index}`,
      familyName: `Family${index}`,
      roles: ['member'],
    })),
  );
}

async function importEndToEnd(): Promise<{ total: number; validation: number; provisioning: number }> {
  const tenantId = `bench-${Date.now()}`;
  const accessToken = await benchToken(api, tenantId, 'admin@bench.test', ['tenant_admin']);
  const csv = ['email,given_name,family_name,employee_id,department']
    .concat(
      Array.from(
        { length: ROWS },
        (_, index) => `p${index}@bench.test,Given${index},Family${index},E${index},Sales`,
      ),
    )
    .join('\r\n');
  const started = performance.now();
  const { validatedAt: validated } = await importThroughApi(
    api,
    accessToken,
    { fileName: 'bench.csv', csv, rows: ROWS },
    { sendWelcome: SEND_WELCOME, deadlineMs: PHASE_DEADLINE_MS },
  );
  return {
    total: seconds(started),
    validation: (validated - started) / 1000,
    provisioning: seconds(validated),
  };
}

try {
  const raw = await rawBatchWrites();
  const imported = await importEndToEnd();
  console.log(
    `\nImport end to end on the local stack, ${ROWS.toLocaleString('en')} rows (target < ${TARGET_SECONDS} s)`,
  );
  console.log(`  raw DynamoDB Local BatchWriteItem, ${ROWS} items: ${raw.toFixed(1)} s`);
  console.log(
    `  import: ${imported.total.toFixed(1)} s (validation ${imported.validation.toFixed(1)} s, provisioning + emails + finalize ${imported.provisioning.toFixed(1)} s)`,
  );
  console.log(
    `  ratio import / raw writes: ${(imported.total / raw).toFixed(1)}×; target ${imported.total < TARGET_SECONDS ? 'met' : 'MISSED'}`,
  );
} finally {
  await stack.stop();
}
