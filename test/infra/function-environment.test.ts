import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { NestedStack, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';
import pLimit from 'p-limit';
import { describe, expect, it } from 'vitest';
import { EVENT_RULES } from '../../config/event-rules';
import { OBJECT_NOTIFICATIONS } from '../../config/object-notifications';
import { ACCESS_ENVIRONMENT } from '../../config/resource-access';
import { AUTHORIZER, ROUTES } from '../../config/routes';
import { SCHEDULES } from '../../config/schedules';
import { stateMachines } from '../../config/state-machines';
import { loadConfig } from '../../functions/shared/config';
import { operatorConfig, tableConfig } from '../../functions/shared/runtime-config';
import { ApiConstruct } from '../../lib/api/api-construct';
import { EventsConstruct } from '../../lib/events/events-construct';
import { MIGRATION_HANDLER, MigrationsConstruct } from '../../lib/migrations/migrations-construct';
import { MusterStack } from '../../lib/muster-stack';
import { ObjectNotificationsConstruct } from '../../lib/object-notifications/object-notifications-construct';
import { SchedulesConstruct } from '../../lib/schedules/schedules-construct';
import { fromRepositoryRoot, REPOSITORY_ROOT } from '../../lib/shared/repository';
import { WorkflowsConstruct } from '../../lib/workflows/workflows-construct';
import { handlerEnvironment } from '../../local/environment';
import { createTestApp, defined, environmentOf, settingsFor } from './support';

const settings = settingsFor('dev');
const stack = new MusterStack(createTestApp(), 'Muster-dev', { settings });
/** The parent and each nested stack (route functions live in ApiRoutes), synthesized once. */
const templates = new Map<Stack, Template>(
  [stack, ...stack.node.children.filter((construct) => construct instanceof NestedStack)].map((owner) => [
    owner,
    Template.fromStack(owner),
  ]),
);
const templateOf = (fn: IFunction): Template => defined(templates.get(Stack.of(fn)), fn.node.path);

function child<TConstruct extends IConstruct>(
  id: string,
  type: abstract new (...args: never[]) => TConstruct,
): TConstruct {
  const construct = stack.node.findChild(id);
  if (!(construct instanceof type)) throw new Error(`Muster-dev/${id} is not a ${type.name}`);
  return construct;
}

const api = child('Api', ApiConstruct);
const events = child('Events', EventsConstruct);
const workflows = child('Workflows', WorkflowsConstruct);
const migrations = child('Migrations', MigrationsConstruct);
const objectNotifications = child('ObjectNotifications', ObjectNotificationsConstruct);
const schedules = child('Schedules', SchedulesConstruct);

/** Every Lambda of the stack that runs Muster code, with the handler module it runs. */
const deployedHandlers: readonly { name: string; entry: string; fn: IFunction }[] = [
  ...ROUTES.map((route) => ({
    name: `${route.method} ${route.path}`,
    entry: route.entry,
    fn: defined(api.routeFunctions.get(`${route.method} ${route.path}`), `${route.method} ${route.path}`),
  })),
  { name: 'authorizer', entry: AUTHORIZER.entry, fn: api.authorizerFunction },
  ...EVENT_RULES.map((rule) => ({
    name: `${rule.name} target`,
    entry: rule.target.entry,
    fn: defined(events.targets.get(rule.name), rule.name).function,
  })),
  ...stateMachines(settings).flatMap((machine) =>
    Object.entries(machine.tasks).map(([placeholder, task]) => ({
      name: `${machine.name} ${placeholder}`,
      entry: task.entry,
      fn: defined(workflows.workflows.get(machine.name)?.taskFunctions.get(placeholder), placeholder),
    })),
  ),
  ...OBJECT_NOTIFICATIONS.map((notification) => ({
    name: `${notification.name} target`,
    entry: notification.target.entry,
    fn: defined(objectNotifications.targets.get(notification.name), notification.name).function,
  })),
  ...SCHEDULES.map((schedule) => ({
    name: `${schedule.name} target`,
    entry: schedule.target.entry,
    fn: defined(schedules.targets.get(schedule.name), schedule.name).function,
  })),
  { name: 'migrations', entry: MIGRATION_HANDLER.entry, fn: migrations.onEventFunction },
];

/** The synthesized variables, with each CloudFormation token (`Ref`, `Fn::GetAtt`, …) as a placeholder string. */
function synthesizedEnvironment(fn: IFunction): Record<string, string> {
  return Object.fromEntries(
    Object.entries(environmentOf(templateOf(fn), fn)).map(([name, value]) => [
      name,
      typeof value === 'string' ? value : `cfn-token-for-${name.toLowerCase()}`,
    ]),
  );
}

/**
 * Imports the handler module in a fresh Node process whose environment is exactly the function's
 * (plus PATH and HOME), like a cold start: a module that reads a variable CDK does not set throws
 * `Invalid configuration: …` while loading.
 */
function coldStart(
  entry: string,
  env: Record<string, string>,
): Promise<{ exitCode: number | null; stderr: string }> {
  const moduleUrl = pathToFileURL(fromRepositoryRoot(entry)).href;
  return new Promise((resolve, reject) => {
    const node = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', `await import(${JSON.stringify(moduleUrl)});`],
      {
        cwd: REPOSITORY_ROOT,
        env: { ...env, PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
        stdio: ['ignore', 'ignore', 'pipe'],
        timeout: 30_000,
      },
    );
    let stderr = '';
    node.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    node.on('error', reject);
    node.on('close', (exitCode) => resolve({ exitCode, stderr }));
  });
}

const COLD_STARTS_AT_ONCE = 4;

describe('the environment CDK gives each function', () => {
  it('covers every Muster function of the stack', () => {
    const musterFunctions = [...templates.values()]
      .flatMap((template) => Object.values(template.findResources('AWS::Lambda::Function')))
      .filter((resource) => resource.Properties.Environment?.Variables?.MUSTER_ENV === 'dev');
    expect(deployedHandlers).toHaveLength(musterFunctions.length);
  });

  it('is enough for every handler module to load, as at a cold start', async () => {
    // One cold start per distinct (module, environment), a few at a time: dozens of Node processes at
    // once on two cores would hit the timeout of each.
    const distinct = new Map(
      deployedHandlers.map(({ name, entry, fn }) => {
        const env = synthesizedEnvironment(fn);
        return [JSON.stringify([entry, env]), { name, entry, env }] as const;
      }),
    );
    const limit = pLimit(COLD_STARTS_AT_ONCE);
    const results = await Promise.all(
      [...distinct.values()].map(({ name, entry, env }) =>
        limit(async () => ({ name, ...(await coldStart(entry, env)) })),
      ),
    );
    for (const { name, exitCode, stderr } of results) {
      expect(exitCode, `${name} failed to load:\n${stderr}`).toBe(0);
    }
  }, 180_000);

  it('gives the migrations what applyMigrations reads when it runs', () => {
    const env = synthesizedEnvironment(migrations.onEventFunction);
    expect(() => loadConfig(tableConfig.extend(operatorConfig.shape), env)).not.toThrow();
  });

  it('fails the cold start of a module whose variables are missing (the check has teeth)', async () => {
    const audit = defined(EVENT_RULES[0], 'an event rule').target.entry;
    const { exitCode, stderr } = await coldStart(audit, {});
    expect(exitCode).not.toBe(0);
    expect(stderr).toMatch(/Invalid configuration: TABLE_NAME: is required/);
  });
});

/** What the local stack sets only because the engines are local: SDK wiring and Powertools without AWS. */
const LOCAL_ONLY =
  /^(AWS_REGION|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_ENDPOINT_URL_\w+|POWERTOOLS_(METRICS_DISABLED|TRACE_ENABLED))$/;

describe('the local handler environment', () => {
  const deployed = new Set(
    deployedHandlers.flatMap(({ fn }) => Object.keys(environmentOf(templateOf(fn), fn))),
  );
  const local = handlerEnvironment(
    {
      endpoints: {
        dynamodb: 'http://d',
        s3: 'http://s',
        ses: 'http://e',
        sfn: 'http://f',
        eventbridge: 'http://b',
      },
      issuer: { issuer: 'http://i/_local', jwksUrl: 'http://i/_local/.well-known/jwks.json' },
      apiUrl: 'http://i',
      bulkImport: settings.bulkImport,
      entitlements: settings.entitlements,
      requestQuota: settings.requestQuota,
    },
    {},
  );

  it('sets nothing CDK does not also give some function, apart from SDK wiring', () => {
    const localOnly = Object.keys(local).filter((name) => !LOCAL_ONLY.test(name) && !deployed.has(name));
    expect(localOnly).toEqual([]);
  });

  it('sets every resource variable (config/resource-access.ts) CDK gives some function', () => {
    const vocabulary = new Set<string>(Object.values(ACCESS_ENVIRONMENT).flat());
    const missing = [...deployed].filter((name) => vocabulary.has(name) && !(name in local));
    expect(missing).toEqual([]);
  });
});
