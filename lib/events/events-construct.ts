import { Duration } from 'aws-cdk-lib';
import { type Archive, EventBus, type EventPattern, Match, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  EVENT_SOURCE,
  type EventPatternValue,
  type EventRuleDefinition,
  type EventPattern as EventRulePattern,
  eventTargetAccess,
} from '../../config/event-rules';
import { createDeadLetterQueue } from '../shared/dead-letter-queue';
import { createMusterFunction } from '../shared/muster-function';
import {
  grantResourceAccess,
  type SharedResources,
  stateMachineArnNamed,
  stateMachineNameOf,
} from '../shared/resource-access';
import { applicationEnvironment } from '../shared/runtime-environment';

export interface EventsConstructProps {
  /** Everything but the bus, which this construct creates. */
  readonly resources: Omit<SharedResources, 'bus'>;
  readonly rules: readonly EventRuleDefinition[];
}

/** A rule, the function it invokes and the queue that keeps what could not be delivered or handled. */
export interface EventRuleTarget {
  readonly rule: Rule;
  readonly function: NodejsFunction;
  readonly deadLetterQueue: Queue;
}

/**
 * The Muster event bus, an archive of every `muster.iam` event for replay, and one rule per entry of
 * config/event-rules.ts. Rule targets record what they observe: each gets `EVENT_TARGET_ACCESS`
 * (config/resource-access.ts), table writes, and what its rule adds.
 */
export class EventsConstruct extends Construct {
  readonly bus: EventBus;
  readonly archive: Archive;
  readonly targets: ReadonlyMap<string, EventRuleTarget>;

  constructor(scope: Construct, id: string, props: EventsConstructProps) {
    super(scope, id);
    const { settings } = props.resources;

    this.bus = new EventBus(this, 'Bus', { eventBusName: `muster-${settings.name}` });
    this.archive = this.bus.archive('Archive', {
      archiveName: `muster-${settings.name}-iam`,
      description: `Every ${EVENT_SOURCE} event, kept for replay.`,
      eventPattern: { source: [EVENT_SOURCE] },
      retention: Duration.days(settings.eventArchiveRetentionDays),
    });

    const resources: SharedResources = { ...props.resources, bus: this.bus };
    const targets = new Map<string, EventRuleTarget>();
    for (const definition of props.rules) {
      const access = eventTargetAccess(definition);
      const deadLetterQueue = createDeadLetterQueue(
        this,
        `${definition.name}DeadLetterQueue`,
        'events the rule target could not take or process',
      );
      const fn = createMusterFunction(this, `${definition.name}Target`, {
        settings,
        entry: definition.target.entry,
        handlerExport: definition.target.export,
        description: `${definition.name}: ${definition.description}`,
        environment: applicationEnvironment(resources, access),
        timeout: Duration.seconds(30),
        deadLetterQueue,
      });
      grantResourceAccess(fn, access, resources);

      const rule = new Rule(this, `${definition.name}Rule`, {
        // No bus: the account's default one, where AWS services put their events.
        ...(definition.bus === 'default' ? {} : { eventBus: this.bus }),
        description: definition.description,
        eventPattern: toEventPattern(definition.pattern, stateMachineArnOf(this, resources, definition)),
      });
      rule.addTarget(
        new LambdaFunction(fn, {
          deadLetterQueue,
          // Delivery is retried for as long as EventBridge allows before the event goes to the queue.
          retryAttempts: 185,
          maxEventAge: Duration.hours(24),
        }),
      );
      targets.set(definition.name, { rule, function: fn, deadLetterQueue });
    }
    this.targets = targets;
  }
}

/** config/event-rules.ts patterns in EventBridge's terms: `{prefix}` objects become prefix matching. */
export function toEventPattern(pattern: EventRulePattern, stateMachineArn?: string): EventPattern {
  const detail: Record<string, string[]> = Object.fromEntries(
    Object.entries(pattern.detail ?? {}).map(([field, values]) => [field, toMatchList(values)]),
  );
  if (stateMachineArn) detail.stateMachineArn = [stateMachineArn];
  return {
    ...(pattern.source && { source: toMatchList(pattern.source) }),
    ...(pattern['detail-type'] && { detailType: toMatchList(pattern['detail-type']) }),
    ...(Object.keys(detail).length > 0 && { detail }),
  };
}

/** By name: the bus and its rules are built before the workflows, which publish on it. */
function stateMachineArnOf(scope: Construct, resources: SharedResources, definition: EventRuleDefinition) {
  if (!definition.stateMachine) return undefined;
  return stateMachineArnNamed(scope, stateMachineNameOf(resources.settings, definition.stateMachine));
}

function toMatchList(values: readonly EventPatternValue[]): string[] {
  return values.flatMap((value) => (typeof value === 'string' ? [value] : Match.prefix(value.prefix)));
}
