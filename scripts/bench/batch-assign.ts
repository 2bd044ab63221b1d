// Part of `npm run bench`: seed 001's target, 100 members authorised in under 5 minutes with ≥ 99%
// success (approval time excluded: a low-risk bundle needs none), as the wall time from
// `POST /internal/iam/roles/batch-assign` to COMPLETED on the local stack (re-validation, entitlement
// writes, an email to each member and the requester, events), against raw DynamoDB Local
// BatchWriteItem of as many entitlement items on the same engine in the same run. Not a test.
import '../../local/polyfills';
import { z } from 'zod';
import { startLocalStack } from '../../local/stack';
import { benchApi, benchToken, rawBatchWrite, secondsSince } from './local-stack-bench';

const MEMBERS = z.coerce.number().int().min(1).max(1000).default(100).parse(process.env.BENCH_ASSIGN_MEMBERS);
const TARGET_SECONDS = 300;
const TARGET_SUCCESS = 0.99;

process.env.LOG_LEVEL ??= 'ERROR';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const stack = await startLocalStack();
const api = benchApi(stack);

const assignmentSchema = z.object({
  status: z.string(),
  counts: z.object({ grants: z.number(), granted: z.number(), failed: z.number() }),
});

async function assignEndToEnd(): Promise<{ seconds: number; granted: number; grants: number }> {
  const tenantId = `bench-assign-${Date.now()}`;
  const admin = await benchToken(api, tenantId, 'admin@bench.test', ['tenant_admin']);
  await api('POST', '/internal/iam/bundles', admin, {
    bundleId: 'viewer',
    name: 'Viewer',
    roles: ['member'],
    risk: 'low',
  });
  const members = Array.from({ length: MEMBERS }, (_, index) => `m${index}@bench.test`);
  for (const email of members) await benchToken(api, tenantId, email, ['member']);

  const started = performance.now();
  const { assignmentId } = z.object({ assignmentId: z.string() }).parse(
    await api('POST', '/internal/iam/roles/batch-assign', admin, {
      members,
      bundles: ['viewer'],
      justification: 'Benchmark: onboarding the sales team to the viewer bundle.',
    }),
  );
  for (;;) {
    const assignment = assignmentSchema.parse(
      await api('GET', `/internal/iam/roles/batch-assign/${assignmentId}`, admin),
    );
    if (!['QUEUED', 'VALIDATING', 'ACTIVATING'].includes(assignment.status)) {
      if (assignment.status !== 'COMPLETED' && assignment.status !== 'COMPLETED_WITH_ERRORS') {
        throw new Error(`assignment ended ${assignment.status}`);
      }
      return {
        seconds: secondsSince(started),
        granted: assignment.counts.granted,
        grants: assignment.counts.grants,
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

try {
  const raw = await rawBatchWrite(
    stack,
    Array.from({ length: MEMBERS }, (_, index) => ({
      PK: `BENCH#TENANT#USER#${index}`,
      SK: 'ENTITLEMENT#tenant#viewer',
      bundleId: 'viewer',
      status: 'ACTIVE',
    })),
  );
  const assigned = await assignEndToEnd();
  const success = assigned.granted / assigned.grants;
  console.log(
    `\nBatch assignment end to end on the local stack, ${MEMBERS} members, low risk (target < ${TARGET_SECONDS} s, ≥ ${TARGET_SUCCESS * 100}% granted)`,
  );
  console.log(`  raw DynamoDB Local BatchWriteItem, ${MEMBERS} items: ${raw.toFixed(2)} s`);
  console.log(
    `  assignment: ${assigned.seconds.toFixed(1)} s, ${assigned.granted}/${assigned.grants} granted (${(success * 100).toFixed(1)}%)`,
  );
  const met = assigned.seconds < TARGET_SECONDS && success >= TARGET_SUCCESS;
  console.log(
    `  ratio assignment / raw writes: ${(assigned.seconds / raw).toFixed(0)}×; target ${met ? 'met' : 'MISSED'}`,
  );
} finally {
  await stack.stop();
}
