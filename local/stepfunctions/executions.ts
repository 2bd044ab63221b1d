import { randomUUID } from 'node:crypto';
import { executionArn, isExecutionArn, isStateMachineArn } from './arns';
import type { CompiledStateMachine } from './definitions';
import { type ExecutionRun, type RunOutcome, type RunServices, startRun } from './execution-run';
import { ExecutionHistory } from './history';
import { type JsonValue, parseJson } from './json';
import { StepFunctionsError } from './protocol';

export type ExecutionStatus = RunOutcome['status'] | 'RUNNING';

export interface Execution {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  /** The input as the caller sent it: AWS compares the text when StartExecution repeats a name. */
  readonly input: string;
  readonly traceHeader?: string;
  readonly startDate: Date;
  readonly history: ExecutionHistory;
  status: ExecutionStatus;
  stopDate?: Date;
  output?: string;
  error?: string;
  cause?: string;
  redriveCount: number;
  redriveDate?: Date;
  /** The run whose outcome counts; a redrive replaces it. */
  run?: ExecutionRun;
}

export interface StartRequest {
  readonly stateMachineArn: string;
  readonly name?: string;
  readonly input?: string;
  readonly traceHeader?: string;
}

/** AWS: 1-80 characters, none of whitespace, brackets, wildcards, `"#%\^|~`$&,;:/` or control characters. */
const EXECUTION_NAME = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\p{Cc}]{1,80}$/u;

/** AWS lets a FAILED, TIMED_OUT or ABORTED execution be redriven. */
const REDRIVABLE: ReadonlySet<ExecutionStatus> = new Set(['FAILED', 'TIMED_OUT', 'ABORTED']);

/**
 * Executions live in this process's memory only: the local stack is restartable and starts empty,
 * which is acceptable for development (AWS keeps them 90 days).
 */
export class ExecutionRegistry {
  readonly #machines: ReadonlyMap<string, CompiledStateMachine>;
  readonly #executions = new Map<string, Execution>();
  /** Set once the engine stops: the executions it aborts then are not news to anyone. */
  #stopping = false;

  constructor(
    machines: readonly CompiledStateMachine[],
    private readonly services: RunServices,
    /** Told of every execution that ends otherwise than SUCCEEDED, as AWS tells EventBridge. */
    private readonly onUnsuccessfulEnd: (execution: Execution) => void = () => {},
  ) {
    this.#machines = new Map(machines.map((machine) => [machine.arn, machine]));
  }

  /**
   * As in AWS, StartExecution is idempotent by name: the same name and input while the execution runs
   * return it again; a different input, or a name whose execution has ended, is ExecutionAlreadyExists.
   */
  start(request: StartRequest): Execution {
    const machine = this.machine(request.stateMachineArn);
    const name = request.name ?? randomUUID();
    if (!EXECUTION_NAME.test(name)) throw new StepFunctionsError('InvalidName', `Invalid Name: '${name}'`);
    const input = request.input ?? '{}';
    const parsedInput = parseInputOrThrow(input);
    const arn = executionArn(this.services.scope, machine.name, name);
    const existing = this.#executions.get(arn);
    if (existing) {
      if (existing.status === 'RUNNING' && existing.input === input) return existing;
      throw new StepFunctionsError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
    }
    const execution: Execution = {
      executionArn: arn,
      stateMachineArn: machine.arn,
      name,
      input,
      traceHeader: request.traceHeader,
      startDate: new Date(),
      history: new ExecutionHistory(),
      status: 'RUNNING',
      redriveCount: 0,
    };
    this.#executions.set(arn, execution);
    this.#launch(execution, machine, parsedInput);
    return execution;
  }

  get(arn: string): Execution {
    const execution = this.#executions.get(arn);
    if (execution) return execution;
    if (!isExecutionArn(arn)) throw new StepFunctionsError('InvalidArn', `Invalid Arn: '${arn}'`);
    throw new StepFunctionsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
  }

  /** Newest first, as ListExecutions returns them. */
  list(stateMachineArn: string): Execution[] {
    this.machine(stateMachineArn);
    return [...this.#executions.values()]
      .filter((execution) => execution.stateMachineArn === stateMachineArn)
      .reverse();
  }

  /** Stopping an execution that has already ended changes nothing. */
  stop(arn: string, error?: string, cause?: string): Date {
    const execution = this.get(arn);
    if (execution.status !== 'RUNNING') return execution.stopDate ?? new Date();
    const stopDate = new Date();
    this.#close(execution, { status: 'ABORTED', error, cause }, stopDate);
    execution.history.record(
      'ExecutionAborted',
      { executionAbortedEventDetails: { error, cause } },
      stopDate,
    );
    execution.run?.abort();
    return stopDate;
  }

  /**
   * AWS resumes a redriven execution at the state that failed. aws-local-stepfunctions cannot start
   * mid-way, so locally a redrive runs the same execution (same ARN, same input) again from its first
   * state. Muster's tasks are idempotent per (task, row), so repeating the steps that had succeeded is safe.
   */
  redrive(arn: string): Date {
    const execution = this.get(arn);
    if (!REDRIVABLE.has(execution.status)) {
      throw new StepFunctionsError(
        'ExecutionNotRedrivable',
        `Execution is ${execution.status} and cannot be redriven: '${arn}'`,
      );
    }
    const redriveDate = new Date();
    execution.status = 'RUNNING';
    execution.redriveCount += 1;
    execution.redriveDate = redriveDate;
    execution.stopDate = execution.output = execution.error = execution.cause = undefined;
    const details = { executionRedrivenEventDetails: { redriveCount: execution.redriveCount } };
    execution.history.record('ExecutionRedriven', details, redriveDate);
    this.#launch(execution, this.machine(execution.stateMachineArn), parseInputOrThrow(execution.input));
    return redriveDate;
  }

  /** Aborts every running execution and waits until their runs have let go. */
  async stopAll(cause: string): Promise<void> {
    this.#stopping = true;
    const running = [...this.#executions.values()].filter((execution) => execution.status === 'RUNNING');
    for (const execution of running) this.stop(execution.executionArn, 'States.Aborted', cause);
    await Promise.all(running.map((execution) => execution.run?.outcome));
  }

  machine(arn: string): CompiledStateMachine {
    const machine = this.#machines.get(arn);
    if (machine) return machine;
    if (!isStateMachineArn(arn)) throw new StepFunctionsError('InvalidArn', `Invalid Arn: '${arn}'`);
    throw new StepFunctionsError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
  }

  #close(execution: Execution, closing: Closing, stopDate: Date): void {
    close(execution, closing, stopDate);
    if (closing.status !== 'SUCCEEDED' && !this.#stopping) this.onUnsuccessfulEnd(execution);
  }

  #launch(execution: Execution, machine: CompiledStateMachine, input: JsonValue): void {
    const run = startRun(
      {
        machine,
        executionArn: execution.executionArn,
        executionName: execution.name,
        input,
        redriveCount: execution.redriveCount,
        history: execution.history,
      },
      this.services,
    );
    execution.run = run;
    void run.outcome.then((outcome) => {
      // StopExecution has already closed the execution, or a redrive has replaced this run.
      if (execution.run === run && execution.status === 'RUNNING')
        this.#close(execution, outcome, new Date());
    });
  }
}

interface Closing {
  readonly status: Exclude<ExecutionStatus, 'RUNNING'>;
  readonly output?: string;
  readonly error?: string;
  readonly cause?: string;
}

function close(execution: Execution, { status, output, error, cause }: Closing, stopDate: Date): void {
  execution.status = status;
  execution.stopDate = stopDate;
  execution.output = output;
  execution.error = error;
  execution.cause = cause;
}

function parseInputOrThrow(input: string): JsonValue {
  const parsed = parseJson(input);
  if (parsed === undefined)
    throw new StepFunctionsError('InvalidExecutionInput', 'Invalid State Machine Execution Input: not JSON');
  return parsed;
}
