// Part of `npm run bench`: issue 5's `$batch` latency. 16 clients at once, each sending 20-request
// envelopes (creating users: the write path, with its transaction, event and audit) to the local
// stack, against the same 20 calls issued one by one by 16 clients at once, same stack, same run.
// Prints p50 and p99 of each and their ratio. Not a test.
import '../../local/polyfills';
import { z } from 'zod';
import { startLocalStack } from '../../local/stack';
import { benchApi, benchToken, secondsSince } from './local-stack-bench';

const CLIENTS = 16;
const REQUESTS_PER_ENVELOPE = 20;
const ROUNDS = z.coerce.number().int().min(1).max(100).default(10).parse(process.env.BENCH_BATCH_ROUNDS);

process.env.LOG_LEVEL ??= 'ERROR';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// The quota guards a shared service; here it would only measure itself.
const stack = await startLocalStack({
  requestQuota: { perCallerPerMinute: 1_000_000, perTenantPerMinute: 10_000_000 },
});
const api = benchApi(stack);
const responsesSchema = z.object({ responses: z.array(z.object({ id: z.string(), status: z.number() })) });

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? Number.NaN;
}

function summary(samples: readonly number[]) {
  const sorted = samples.toSorted((a, b) => a - b);
  return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), count: sorted.length };
}

const newUsers = (client: number, round: number, mode: string) =>
  Array.from({ length: REQUESTS_PER_ENVELOPE }, (_, index) => ({
    email: `${mode}.${client}.${round}.${index}@bench.test`,
    givenName: `Bench ${index}`,
  }));

/** Milliseconds per round: one envelope of 20 creations. */
async function batchClient(token: string, client: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const requests = newUsers(client, round, 'batch').map((body, index) => ({
      id: `r${index}`,
      method: 'POST',
      url: '/v1/admin/users',
      body,
    }));
    const started = performance.now();
    const { responses } = responsesSchema.parse(await api('POST', '/api/v1/$batch', token, { requests }));
    latencies.push(performance.now() - started);
    const failed = responses.filter((response) => response.status !== 201);
    if (failed.length > 0) throw new Error(`batch requests failed: ${JSON.stringify(failed)}`);
  }
  return latencies;
}

/** Milliseconds per round: the same 20 creations, one call after another. */
async function sequentialClient(token: string, client: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const started = performance.now();
    for (const body of newUsers(client, round, 'direct')) await api('POST', '/v1/admin/users', token, body);
    latencies.push(performance.now() - started);
  }
  return latencies;
}

async function concurrently(run: (token: string, client: number) => Promise<number[]>, tenantId: string) {
  const tokens = await Promise.all(
    Array.from({ length: CLIENTS }, (_, client) =>
      benchToken(api, tenantId, `admin${client}@bench.test`, ['tenant_admin']),
    ),
  );
  const started = performance.now();
  const latencies = (await Promise.all(tokens.map((token, client) => run(token, client)))).flat();
  return { ...summary(latencies), seconds: secondsSince(started) };
}

try {
  // Warms every code path and the engine once, so neither side pays a cold start in its figures.
  await concurrently(
    async (token, client) => [...(await batchClient(token, client)).slice(0, 1)],
    `bench-warm-${Date.now()}`,
  );
  const sequential = await concurrently(sequentialClient, `bench-direct-${Date.now()}`);
  const batched = await concurrently(batchClient, `bench-batch-${Date.now()}`);
  const users = CLIENTS * ROUNDS * REQUESTS_PER_ENVELOPE;
  const line = (label: string, figures: typeof batched) =>
    `  ${label}: p50 ${figures.p50.toFixed(0)} ms, p99 ${figures.p99.toFixed(0)} ms (${figures.count} rounds; ${(users / figures.seconds).toFixed(0)} users/s)`;
  console.log(
    `\n$batch latency on the local stack: ${CLIENTS} concurrent clients, ${ROUNDS} rounds each of ${REQUESTS_PER_ENVELOPE} user creations`,
  );
  console.log(line('one $batch envelope of 20', batched));
  console.log(line('the same 20 calls one by one', sequential));
  console.log(
    `  ratio one by one / $batch: p50 ${(sequential.p50 / batched.p50).toFixed(1)}×, p99 ${(sequential.p99 / batched.p99).toFixed(1)}×`,
  );
} finally {
  await stack.stop();
}
