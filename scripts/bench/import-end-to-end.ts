// Part of `npm run bench`: the wall time of a 10,000-row import end to end on the local stack
// (upload → validation → commit → provisioning → welcome emails → finalize), against raw
// DynamoDB Local BatchWriteItem of as many items on the same engine in the same run. Not a test.
import '../../local/polyfills';
import { z } from 'zod';
import { startLocalStack } from '../../local/stack';
import { benchApi, benchToken, rawBatchWrite, secondsSince as seconds } from './local-stack-bench';

const ROWS = z.coerce.number().int().positive().default(10_000).parse(process.env.BENCH_IMPORT_ROWS);
const TARGET_SECONDS = 60;
const SEND_WELCOME = process.env.BENCH_IMPORT_WELCOME !== 'false';

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
  const upload = z
    .object({ fileId: z.string(), uploadUrl: z.string(), fields: z.record(z.string(), z.string()) })
    .parse(
      await api('POST', '/internal/iam/users/bulk-import/uploads', accessToken, { fileName: 'bench.csv' }),
    );
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
  form.append('file', new Blob([csv]), 'bench.csv');
  await fetch(upload.uploadUrl, { method: 'POST', body: form });
  const { taskId } = z
    .object({ taskId: z.string() })
    .parse(
      await api('POST', '/internal/iam/users/bulk-import/validation', accessToken, { fileId: upload.fileId }),
    );
  const waitFor = async (statuses: string[]) => {
    for (;;) {
      const task = z
        .object({ status: z.string(), counts: z.object({ succeeded: z.number() }) })
        .parse(await api('GET', `/internal/iam/users/bulk-import/${taskId}`, accessToken));
      if (statuses.includes(task.status)) return task;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };
  await waitFor(['VALIDATED', 'VALIDATION_FAILED']);
  const validated = performance.now();
  await api('POST', '/internal/iam/users/bulk-import/commit', accessToken, {
    taskId,
    sendWelcome: SEND_WELCOME,
  });
  const done = await waitFor(['COMPLETED', 'COMPLETED_WITH_ERRORS', 'FAILED']);
  if (done.status !== 'COMPLETED' || done.counts.succeeded !== ROWS) {
    throw new Error(`import ended ${done.status} with ${done.counts.succeeded} of ${ROWS} created`);
  }
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
