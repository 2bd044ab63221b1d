import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CfnOutput, Duration, NestedStack, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { CONSOLE_DIST_DIRECTORY } from '../config/console-hosting';
import { EVENT_RULES } from '../config/event-rules';
import { OBJECT_NOTIFICATIONS } from '../config/object-notifications';
import { AUTHORIZER, ROUTES } from '../config/routes';
import { SCHEDULES } from '../config/schedules';
import { stateMachines } from '../config/state-machines';
import { ApiConstruct } from './api/api-construct';
import type { EnvironmentSettings } from './config/environments';
import { ConsoleConstruct } from './console/console-construct';
import { EventsConstruct } from './events/events-construct';
import { MigrationsConstruct } from './migrations/migrations-construct';
import { ObjectNotificationsConstruct } from './object-notifications/object-notifications-construct';
import { type MonitoredFunction, ObservabilityConstruct } from './observability/observability-construct';
import { SchedulesConstruct } from './schedules/schedules-construct';
import { fromRepositoryRoot } from './shared/repository';
import type { SharedResources, WorkflowResource } from './shared/resource-access';
import { StorageConstruct } from './storage/storage-construct';
import { WorkflowsConstruct } from './workflows/workflows-construct';

export interface MusterStackProps extends StackProps {
  readonly settings: EnvironmentSettings;
}

// A rejected credential is a thrown 'Unauthorized' (API Gateway's only way to answer 401), which Lambda
// counts as an error; only a burst of them is news. Authorizer crashes surface as API 5XX.
const AUTHORIZER_ERRORS_THRESHOLD = 100;

function scheduleNamed(name: string) {
  const schedule = SCHEDULES.find((candidate) => candidate.name === name);
  if (!schedule) throw new Error(`config/schedules.ts has no ${name}`);
  return schedule;
}

/** The whole of Muster in one stack, `Muster-<env>`, composed from one construct per capability. */
export class MusterStack extends Stack {
  constructor(scope: Construct, id: string, props: MusterStackProps) {
    super(scope, id, props);
    const { settings } = props;

    const storage = new StorageConstruct(this, 'Storage', { settings });
    const { table, uploadsBucket, reportsBucket } = storage;
    const stored = {
      settings,
      table,
      uploadsBucket,
      reportsBucket,
      workflows: new Map<string, WorkflowResource>(),
    };
    const events = new EventsConstruct(this, 'Events', { resources: stored, rules: EVENT_RULES });
    const { bus } = events;
    // Workflows first: API functions that start them get the state machine's ARN.
    const workflows = new WorkflowsConstruct(this, 'Workflows', {
      resources: { ...stored, bus },
      stateMachines: stateMachines(settings),
      manifestBucket: reportsBucket,
    });
    const resources: SharedResources = { ...stored, bus, workflows: workflows.workflows };
    // The route functions live in a nested stack: 4 resources each would crowd this stack's 500.
    const api = new ApiConstruct(this, 'Api', {
      resources,
      routes: ROUTES,
      authorizer: AUTHORIZER,
      functionScope: new NestedStack(this, 'ApiRoutes', {
        description: `Muster (${settings.name}): the API's route functions, their roles and log groups`,
      }),
    });
    const objectNotifications = new ObjectNotificationsConstruct(this, 'ObjectNotifications', {
      resources,
      notifications: OBJECT_NOTIFICATIONS,
    });
    const schedules = new SchedulesConstruct(this, 'Schedules', { resources, schedules: SCHEDULES });
    const migrations = new MigrationsConstruct(this, 'Migrations', { settings, table });

    const functions: MonitoredFunction[] = [
      { name: 'Authorizer', function: api.authorizerFunction, errorsThreshold: AUTHORIZER_ERRORS_THRESHOLD },
      ...[...api.routeFunctions].map(([route, fn]) => ({ name: route, function: fn })),
      ...[...events.targets].map(([rule, target]) => ({ name: `${rule} target`, function: target.function })),
      ...[...workflows.workflows].flatMap(([machine, workflow]) =>
        [...workflow.taskFunctions].map(([task, fn]) => ({ name: `${machine} ${task}`, function: fn })),
      ),
      ...[...objectNotifications.targets].map(([name, target]) => ({
        name: `${name} target`,
        function: target.function,
      })),
      ...[...schedules.targets].map(([name, target]) => ({
        name: `${name} target`,
        function: target.function,
      })),
      { name: 'Migrations', function: migrations.onEventFunction },
    ];
    // CloudFormation allows 500 resources a stack, and the alarms (two a function) are a quarter of
    // Muster's: they and the dashboard live in a nested stack, one resource here.
    const monitoring = new NestedStack(this, 'Monitoring', {
      description: `Muster (${settings.name}): alarms, alarm topic and dashboard`,
    });
    const observability = new ObservabilityConstruct(monitoring, 'Observability', {
      settings,
      functions,
      restApi: api.restApi,
      deadLetterQueues: [...events.targets, ...objectNotifications.targets, ...schedules.targets].map(
        ([name, target]) => ({ name: `${name} dead letters`, queue: target.deadLetterQueue }),
      ),
      stateMachines: [...workflows.workflows].map(([name, workflow]) => ({
        name,
        stateMachine: workflow.stateMachine,
      })),
      table,
      expirySweepPeriod: Duration.minutes(scheduleNamed('EntitlementExpirySweep').rateMinutes),
    });

    // The console's bucket, distribution and deployment live in their own nested stack too. The
    // build is published when `npm run web:build` has produced it; without it the hosting deploys empty.
    const consoleAssets = fromRepositoryRoot(CONSOLE_DIST_DIRECTORY);
    const consoleHosting = new ConsoleConstruct(
      new NestedStack(this, 'ConsoleHosting', {
        description: `Muster (${settings.name}): admin console bucket and CloudFront distribution`,
      }),
      'Console',
      {
        settings,
        restApi: api.restApi,
        directAccessBuckets: [uploadsBucket, reportsBucket],
        uploadsBucket,
        ...(existsSync(join(consoleAssets, 'index.html')) ? { assetsDirectory: consoleAssets } : {}),
      },
    );

    new CfnOutput(this, 'ApiUrl', { value: api.restApi.url });
    new CfnOutput(this, 'ConsoleUrl', { value: consoleHosting.consoleUrl });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'EventBusName', { value: bus.eventBusName });
    new CfnOutput(this, 'UploadsBucketName', { value: storage.uploadsBucket.bucketName });
    new CfnOutput(this, 'ReportsBucketName', { value: storage.reportsBucket.bucketName });
    new CfnOutput(this, 'AlarmTopicArn', { value: observability.alarmTopic.topicArn });
    for (const [name, workflow] of workflows.workflows) {
      new CfnOutput(this, `${name}StateMachineArn`, { value: workflow.stateMachine.stateMachineArn });
    }
  }
}
