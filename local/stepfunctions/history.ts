import type { HistoryEventType } from '@aws-sdk/client-sfn';
import type { StateMachine } from 'aws-local-stepfunctions';

type EngineEvent =
  ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer Event> ? Event : never;
type StateType = Extract<EngineEvent, { type: 'StateEntered' }>['state']['type'];

export interface HistoryEvent {
  readonly id: number;
  readonly timestamp: Date;
  readonly type: HistoryEventType;
  /** The event's details member as the API names it, e.g. `{ taskScheduledEventDetails: {...} }`. */
  readonly details: Readonly<Record<string, object>>;
}

/**
 * A minimal execution history: execution start and end, state transitions, Map iterations, and the
 * Task events the task bridge records (their parameters carry callback task tokens). Retries show
 * as repeated TaskScheduled/TaskFailed pairs, as in AWS.
 */
export class ExecutionHistory {
  readonly #events: HistoryEvent[] = [];

  get events(): readonly HistoryEvent[] {
    return this.#events;
  }

  record(
    type: HistoryEventType,
    details: Readonly<Record<string, object>> = {},
    timestamp = new Date(),
  ): void {
    this.#events.push({ id: this.#events.length + 1, timestamp, type, details });
  }
}

const STATE_EVENT_TYPES: Readonly<
  Record<StateType, { entered: HistoryEventType; exited?: HistoryEventType }>
> = {
  Task: { entered: 'TaskStateEntered', exited: 'TaskStateExited' },
  Map: { entered: 'MapStateEntered', exited: 'MapStateExited' },
  Parallel: { entered: 'ParallelStateEntered', exited: 'ParallelStateExited' },
  Pass: { entered: 'PassStateEntered', exited: 'PassStateExited' },
  Wait: { entered: 'WaitStateEntered', exited: 'WaitStateExited' },
  Choice: { entered: 'ChoiceStateEntered', exited: 'ChoiceStateExited' },
  Succeed: { entered: 'SucceedStateEntered', exited: 'SucceedStateExited' },
  Fail: { entered: 'FailStateEntered' },
};

const complete = { truncated: false };

/**
 * Copies aws-local-stepfunctions' event log into the history under the AWS event types. Its abort
 * event is left out: StopExecution records ExecutionAborted itself, with the caller's error and cause.
 * So are the states in `hidden`, which exist only locally (bridged ItemReaders).
 */
export async function recordEngineEvents(
  events: AsyncGenerator<EngineEvent>,
  history: ExecutionHistory,
  hidden: ReadonlySet<string> = new Set(),
): Promise<void> {
  for await (const event of events) {
    const timestamp = new Date(event.timestamp);
    if ((event.type === 'StateEntered' || event.type === 'StateExited') && hidden.has(event.state.name))
      continue;
    switch (event.type) {
      case 'ExecutionStarted':
        history.record(
          'ExecutionStarted',
          { executionStartedEventDetails: { input: JSON.stringify(event.input), inputDetails: complete } },
          timestamp,
        );
        break;
      case 'ExecutionSucceeded':
        history.record(
          'ExecutionSucceeded',
          {
            executionSucceededEventDetails: { output: JSON.stringify(event.output), outputDetails: complete },
          },
          timestamp,
        );
        break;
      case 'ExecutionFailed':
        history.record(
          'ExecutionFailed',
          { executionFailedEventDetails: { error: event.Error, cause: causeText(event.Cause) } },
          timestamp,
        );
        break;
      case 'ExecutionTimeout':
        history.record(
          'ExecutionTimedOut',
          { executionTimedOutEventDetails: { error: 'States.Timeout' } },
          timestamp,
        );
        break;
      case 'StateEntered': {
        const { name, type, input } = event.state;
        const details = { name, input: JSON.stringify(input), inputDetails: complete };
        history.record(STATE_EVENT_TYPES[type].entered, { stateEnteredEventDetails: details }, timestamp);
        break;
      }
      case 'StateExited': {
        const { name, type, output } = event.state;
        const exited = STATE_EVENT_TYPES[type].exited;
        const details = { name, output: JSON.stringify(output ?? null), outputDetails: complete };
        if (exited) history.record(exited, { stateExitedEventDetails: details }, timestamp);
        break;
      }
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed': {
        const details = { name: event.parentState.name, index: event.index };
        history.record(event.type, { [`${lowerFirst(event.type)}EventDetails`]: details }, timestamp);
        break;
      }
    }
  }
}

function causeText(cause: unknown): string {
  return typeof cause === 'string' ? cause : JSON.stringify(cause);
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
