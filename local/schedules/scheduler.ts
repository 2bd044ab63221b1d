import { randomUUID } from 'node:crypto';
import type { ScheduleDefinition } from '../../config/schedules';
import type { HandlerReference } from '../lambda/handlers';
import { log } from '../log';

/** EventBridge's Scheduled Event, as a schedule rule delivers it to its Lambda target. */
export interface ScheduledEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': 'Scheduled Event';
  readonly source: 'aws.events';
  readonly account: string;
  /** The time the schedule fired, to the second: the target's clock. */
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  /** `{}` from a schedule rule; `{tenantId}` when a run is narrowed to one tenant (scheduled-run.ts). */
  readonly detail: ScheduledRunDetail;
}

export interface ScheduledRunDetail {
  readonly tenantId?: string;
}

export interface LocalSchedulerOptions {
  readonly schedules: readonly ScheduleDefinition[];
  readonly invoke: (target: HandlerReference, event: ScheduledEvent) => Promise<unknown>;
  readonly region: string;
  readonly accountId: string;
}

export interface LocalScheduler {
  /** Whether a schedule of this name is configured. */
  has(name: string): boolean;
  /** Fires a schedule now, as if the clock read `at`; resolves with what its target returned. */
  fire(name: string, at: Date, detail?: ScheduledRunDetail): Promise<unknown>;
  /** Fires every schedule at its rate on the real clock, until `stop`; a run still going skips its turn. */
  start(): void;
  stop(): void;
}

/**
 * The schedules of config/schedules.ts on one machine. `npm start` runs them on the real clock;
 * tests fire them at a chosen time instead (`POST /_local/schedules/{name}/run`), so a sweep can
 * see "three days later" at once.
 */
export function createLocalScheduler(options: LocalSchedulerOptions): LocalScheduler {
  const byName = new Map(options.schedules.map((schedule) => [schedule.name, schedule]));
  const timers: NodeJS.Timeout[] = [];
  const running = new Set<string>();

  function scheduledEvent(
    schedule: ScheduleDefinition,
    at: Date,
    detail: ScheduledRunDetail,
  ): ScheduledEvent {
    return {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: options.accountId,
      time: `${at.toISOString().slice(0, 19)}Z`,
      region: options.region,
      resources: [`arn:aws:events:${options.region}:${options.accountId}:rule/${schedule.name}`],
      detail,
    };
  }

  async function fire(name: string, at: Date, detail: ScheduledRunDetail = {}): Promise<unknown> {
    const schedule = byName.get(name);
    if (!schedule) throw new Error(`no schedule named "${name}" in config/schedules.ts`);
    return options.invoke(schedule.target, scheduledEvent(schedule, at, detail));
  }

  return {
    has: (name) => byName.has(name),
    fire,
    start() {
      for (const schedule of byName.values()) {
        const timer = setInterval(() => {
          if (running.has(schedule.name)) return;
          running.add(schedule.name);
          fire(schedule.name, new Date())
            .catch((error: unknown) => log.error(`schedule ${schedule.name} failed`, error))
            .finally(() => running.delete(schedule.name));
        }, schedule.rateMinutes * 60_000);
        timer.unref();
        timers.push(timer);
      }
    },
    stop() {
      for (const timer of timers.splice(0)) clearInterval(timer);
    },
  };
}
