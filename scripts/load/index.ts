// `npm run load`: the load run of issue 7 against a local stack it starts (with the `$batch`
// limits set for the run) or, with `--url`, one already running (`npm start`). Prints the report;
// exits 1 when a promise broke (a 5xx, a request without answer, a steady request rate limited, a
// push without 429 or a 429 without Retry-After). Not a test: test/heavy/load.test.ts is.
import '../../local/polyfills';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { DEFAULT_REQUEST_QUOTA } from '../../config/request-quota';
import { type LocalStack, startLocalStack } from '../../local/stack';
import { DEFAULT_LOAD, LOAD_RUN_QUOTA, runLoad } from './load-run';
import { brokenPromises, formatReport } from './report';

const positive = z.coerce.number().int().positive();
const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    seconds: { type: 'string' },
    'users-rate': { type: 'string' },
    'batch-rate': { type: 'string' },
    'status-rate': { type: 'string' },
    tenants: { type: 'string' },
    callers: { type: 'string' },
    users: { type: 'string' },
    'per-caller-limit': { type: 'string' },
  },
});
const option = (value: string | undefined, fallback: number) => positive.parse(value ?? fallback);

process.env.LOG_LEVEL ??= 'ERROR';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
let stack: LocalStack | undefined;
if (!values.url) stack = await startLocalStack({ requestQuota: LOAD_RUN_QUOTA });
try {
  const apiUrl = values.url ?? stack?.apiUrl ?? '';
  // A stack keeps MUSTER_RATE_LIMIT_RPM of its environment over the run's; a running one says
  // nothing of its limit, so it is told (or the environment's, or the default).
  const perCallerLimit = option(
    values['per-caller-limit'] ?? stack?.env.MUSTER_RATE_LIMIT_RPM ?? process.env.MUSTER_RATE_LIMIT_RPM,
    DEFAULT_REQUEST_QUOTA.perCallerPerMinute,
  );
  const report = await runLoad({
    apiUrl,
    perCallerLimit,
    seconds: option(values.seconds, DEFAULT_LOAD.seconds),
    rates: {
      users: option(values['users-rate'], DEFAULT_LOAD.rates.users),
      batch: option(values['batch-rate'], DEFAULT_LOAD.rates.batch),
      importStatus: option(values['status-rate'], DEFAULT_LOAD.rates.importStatus),
    },
    tenants: option(values.tenants, DEFAULT_LOAD.tenants),
    callersPerTenant: option(values.callers, DEFAULT_LOAD.callersPerTenant),
    usersPerTenant: option(values.users, DEFAULT_LOAD.usersPerTenant),
    log: (line) => console.error(line),
  });
  console.log(`\nLoad run against ${apiUrl}\n${formatReport(report)}`);
  const broken = brokenPromises(report);
  for (const sentence of broken) console.log(`BROKEN: ${sentence}`);
  process.exitCode = broken.length > 0 ? 1 : 0;
} finally {
  await stack?.stop();
}
