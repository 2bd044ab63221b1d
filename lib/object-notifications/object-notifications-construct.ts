import { Duration, Stack } from 'aws-cdk-lib';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { EventType, type IBucket } from 'aws-cdk-lib/aws-s3';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';
import type { ObjectNotificationDefinition } from '../../config/object-notifications';
import { createDeadLetterQueue } from '../shared/dead-letter-queue';
import { createMusterFunction } from '../shared/muster-function';
import { acknowledgeFrameworkExecutionRole } from '../shared/nag';
import { grantResourceAccess, type SharedResources } from '../shared/resource-access';
import { applicationEnvironment, moduleAccess } from '../shared/runtime-environment';

export interface ObjectNotificationsConstructProps {
  readonly resources: SharedResources;
  readonly notifications: readonly ObjectNotificationDefinition[];
}

/** A notification's function and the queue that keeps the events it could not handle. */
export interface ObjectNotificationTarget {
  readonly function: NodejsFunction;
  readonly deadLetterQueue: Queue;
}

/**
 * Parsing a spreadsheet of up to `maxRows` rows with bounded memory takes minutes, not seconds:
 * Lambda's longest timeout, and a full vCPU (1,769 MB).
 */
const TARGET_TIMEOUT = Duration.minutes(15);
const TARGET_MEMORY_MB = 1769;

/**
 * One Lambda per entry of config/object-notifications.ts, invoked by S3 (`s3:ObjectCreated:*` under
 * the entry's prefix) asynchronously: Lambda retries a failed invocation twice, then the event goes
 * to the function's dead-letter queue.
 *
 * The notification is added here, by the construct that owns the function, with
 * `bucket.addEventNotification`: the bucket's notification configuration (a custom resource) then
 * depends on the function and its invoke permission, and nothing in storage depends on this
 * construct, so there is no cycle.
 */
export class ObjectNotificationsConstruct extends Construct {
  readonly targets: ReadonlyMap<string, ObjectNotificationTarget>;

  constructor(scope: Construct, id: string, props: ObjectNotificationsConstructProps) {
    super(scope, id);
    const { resources } = props;
    const environmentAccess = moduleAccess(
      props.notifications.map((definition) => ({
        entry: definition.target.entry,
        access: definition.access,
      })),
    );

    const targets = new Map<string, ObjectNotificationTarget>();
    for (const definition of props.notifications) {
      const deadLetterQueue = createDeadLetterQueue(
        this,
        `${definition.name}DeadLetterQueue`,
        'S3 notifications the target failed to handle after Lambda retried them',
      );
      const fn = createMusterFunction(this, `${definition.name}Target`, {
        settings: resources.settings,
        entry: definition.target.entry,
        handlerExport: definition.target.export,
        description: `${definition.name}: s3:ObjectCreated:* on ${definition.bucket}/${definition.prefix}`,
        environment: applicationEnvironment(resources, environmentAccess.get(definition.target.entry) ?? []),
        timeout: TARGET_TIMEOUT,
        memorySize: TARGET_MEMORY_MB,
        deadLetterQueue,
      });
      grantResourceAccess(fn, definition.access, resources);
      bucketOf(definition, resources).addEventNotification(
        EventType.OBJECT_CREATED,
        new LambdaDestination(fn),
        {
          prefix: definition.prefix,
        },
      );
      targets.set(definition.name, { function: fn, deadLetterQueue });
    }
    this.targets = targets;
    if (targets.size > 0) acknowledgeBucketNotificationsHandler(this);
  }
}

function bucketOf(definition: ObjectNotificationDefinition, resources: SharedResources): IBucket {
  switch (definition.bucket) {
    case 'uploads':
      return resources.uploadsBucket;
    default:
      throw new Error(`Unknown notification bucket: ${definition.bucket satisfies never}`);
  }
}

/**
 * `addEventNotification` puts one CDK framework Lambda in the stack, which writes the buckets'
 * notification configuration during deployment. It is a stack-level singleton, so it is found by
 * its construct id and acknowledged there, never on the stack.
 */
function acknowledgeBucketNotificationsHandler(scope: IConstruct): void {
  const handler = Stack.of(scope).node.children.find((child) =>
    child.node.id.startsWith('BucketNotificationsHandler'),
  );
  if (handler === undefined) throw new Error('addEventNotification added no BucketNotificationsHandler');
  acknowledgeFrameworkExecutionRole(
    handler,
    'BucketNotificationsHandler only writes the notification configuration of Muster buckets (s3:PutBucketNotification on each), during deployment.',
  );
}
