import { Duration } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ScheduleDefinition } from '../../config/schedules';
import { createDeadLetterQueue } from '../shared/dead-letter-queue';
import { createMusterFunction } from '../shared/muster-function';
import { grantResourceAccess, type SharedResources } from '../shared/resource-access';
import { applicationEnvironment, moduleAccess } from '../shared/runtime-environment';

export interface SchedulesConstructProps {
  /** The workflows exist already: sweeps resume waiting tasks (`workflow-callback:<name>`). */
  readonly resources: SharedResources;
  readonly schedules: readonly ScheduleDefinition[];
}

/** A schedule's rule, its function and the queue that keeps the runs that failed every retry. */
export interface ScheduleTarget {
  readonly rule: Rule;
  readonly function: NodejsFunction;
  readonly deadLetterQueue: Queue;
}

/**
 * A sweep reads a bounded slice of due items per run; five minutes leaves room for a backlog
 * (the sweeps are idempotent, so a run cut short is finished by the next one).
 */
const TARGET_TIMEOUT = Duration.minutes(5);
/** The longest EventBridge keeps retrying a delivery to a Lambda target. */
const MAX_EVENT_AGE_LIMIT = Duration.hours(24);

/**
 * One EventBridge schedule rule per entry of config/schedules.ts, each invoking its own Lambda with
 * the Scheduled Event, whose `time` is the sweep's clock. A failed run is retried twice, then kept
 * in a dead-letter queue; an old run is not worth replaying late (the next run covers it), so events
 * older than one interval (at most a day, EventBridge's limit) are dropped instead of retried.
 */
export class SchedulesConstruct extends Construct {
  readonly targets: ReadonlyMap<string, ScheduleTarget>;

  constructor(scope: Construct, id: string, props: SchedulesConstructProps) {
    super(scope, id);
    const { resources } = props;
    const environmentAccess = moduleAccess(props.schedules.map((schedule) => schedule.target));

    const targets = new Map<string, ScheduleTarget>();
    for (const definition of props.schedules) {
      const deadLetterQueue = createDeadLetterQueue(
        this,
        `${definition.name}DeadLetterQueue`,
        'scheduled runs the target failed after its retries',
      );
      const fn = createMusterFunction(this, `${definition.name}Target`, {
        settings: resources.settings,
        entry: definition.target.entry,
        handlerExport: definition.target.export,
        description: `${definition.name} (${cadenceOf(definition)}): ${definition.description}`,
        environment: applicationEnvironment(resources, environmentAccess.get(definition.target.entry) ?? []),
        timeout: TARGET_TIMEOUT,
        deadLetterQueue,
      });
      grantResourceAccess(fn, definition.target.access, resources);
      const rule = new Rule(this, `${definition.name}Rule`, {
        description: definition.description,
        schedule: definition.cron
          ? Schedule.cron(definition.cron)
          : Schedule.rate(Duration.minutes(definition.rateMinutes)),
      });
      rule.addTarget(
        new LambdaFunction(fn, {
          deadLetterQueue,
          retryAttempts: 2,
          maxEventAge: Duration.minutes(
            Math.min(Math.max(definition.rateMinutes, 1), MAX_EVENT_AGE_LIMIT.toMinutes()),
          ),
        }),
      );
      targets.set(definition.name, { rule, function: fn, deadLetterQueue });
    }
    this.targets = targets;
  }
}

function cadenceOf(definition: ScheduleDefinition): string {
  const { cron, rateMinutes } = definition;
  return cron ? `cron ${cron.minute} ${cron.hour} ? * ${cron.weekDay} *, UTC` : `every ${rateMinutes} min`;
}
