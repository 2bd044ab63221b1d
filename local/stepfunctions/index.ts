// aws-local-stepfunctions needs Promise.withResolvers, which Node 20 lacks.
import '../polyfills';
import { fileURLToPath } from 'node:url';
import type { StateMachineDefinition } from '../../config/state-machines';
import type { LoadHandler } from '../lambda/handlers';
import { type AwsScope, stateMachineArn } from './arns';
import { compileStateMachine } from './definitions';
import { type Execution, ExecutionRegistry } from './executions';
import type { ReadObject } from './item-reader';
import { createOperations } from './operations';
import { serveStepFunctions } from './server';
import { TaskTokens } from './task-tokens';

export type { LambdaHandler, LoadHandler } from '../lambda/handlers';

export interface LocalStepFunctionsOptions {
  readonly stateMachines: readonly StateMachineDefinition<string>[];
  /**
   * The handler a task placeholder stands for; called on every invocation, so it keeps what it loads
   * (the stack passes its one handler loader, `createLocalHandlers().load`).
   */
  readonly loadHandler: LoadHandler;
  readonly region: string;
  readonly accountId: string;
  /** 0 or absent: a free port on 127.0.0.1. */
  readonly port?: number;
  /** How long a handler may run before its task fails with `Sandbox.Timedout`, like a Lambda timeout. Default 60 s. */
  readonly handlerTimeoutMs?: number;
  /** Replaces the pause before every ASL `Retry` attempt (tests pass 0); unset, the ASL's intervals apply. */
  readonly retryIntervalMs?: number;
  /**
   * Reads an S3 object, for Map states with an ItemReader (the local S3 engine's `readObject`);
   * required when a machine has one. Called when the Map runs, not before.
   */
  readonly readObject?: ReadObject;
  /**
   * Receives the "Step Functions Execution Status Change" event of every execution that ends
   * FAILED, TIMED_OUT or ABORTED, as AWS sends it to EventBridge (the local stack puts it on its bus).
   */
  readonly onStatusChange?: (event: ExecutionStatusChange) => void;
}

/** What AWS puts on EventBridge when an execution's status changes (source `aws.states`). */
export interface ExecutionStatusChange {
  readonly source: 'aws.states';
  readonly detailType: 'Step Functions Execution Status Change';
  readonly resources: readonly string[];
  readonly detail: {
    readonly executionArn: string;
    readonly stateMachineArn: string;
    readonly name: string;
    readonly status: string;
    readonly startDate: number;
    readonly stopDate: number | null;
    readonly input: string;
    readonly output: string | null;
    readonly error: string | null;
    readonly cause: string | null;
  };
}

export interface LocalStepFunctions {
  /** Where `AWS_ENDPOINT_URL_SFN` (or an SFNClient's `endpoint`) points. */
  readonly endpoint: string;
  /** `arn:aws:states:<region>:<account>:stateMachine:<name>` of a configured state machine. */
  stateMachineArn(name: string): string;
  /** Closes the server and aborts the executions still running. */
  stop(): Promise<void>;
}

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DEFAULT_HANDLER_TIMEOUT_MS = 60_000;

/**
 * Step Functions on one machine: runs the ASL files of `config/state-machines.ts` with
 * aws-local-stepfunctions, calls their Lambda handlers in-process, and serves the Step Functions API
 * so that an ordinary SFNClient, pointed here by `AWS_ENDPOINT_URL_SFN`, drives them.
 */
export async function startLocalStepFunctions(
  options: LocalStepFunctionsOptions,
): Promise<LocalStepFunctions> {
  const scope: AwsScope = { region: options.region, accountId: options.accountId };
  const machines = await Promise.all(
    options.stateMachines.map((definition) => compileStateMachine(definition, scope, REPO_ROOT)),
  );
  const reading = machines.find((machine) => machine.hiddenStateNames.size > 0);
  if (reading && !options.readObject) {
    throw new Error(
      `State machine ${reading.name} has a Map with an ItemReader: pass readObject to read its items`,
    );
  }
  const taskTokens = new TaskTokens();
  const executions = new ExecutionRegistry(
    machines,
    {
      scope,
      loadHandler: options.loadHandler,
      taskTokens,
      handlerTimeoutMs: options.handlerTimeoutMs ?? DEFAULT_HANDLER_TIMEOUT_MS,
      retryIntervalMs: options.retryIntervalMs,
      readObject: options.readObject,
    },
    (execution) => options.onStatusChange?.(statusChangeOf(execution)),
  );
  const server = await serveStepFunctions(createOperations(executions, taskTokens), options.port ?? 0);
  return {
    endpoint: server.endpoint,
    stateMachineArn: (name) => {
      if (!machines.some((machine) => machine.name === name))
        throw new Error(`no state machine named "${name}"`);
      return stateMachineArn(scope, name);
    },
    async stop() {
      const closed = server.close();
      await executions.stopAll('The local Step Functions engine stopped');
      await closed;
    },
  };
}

function statusChangeOf(execution: Execution): ExecutionStatusChange {
  return {
    source: 'aws.states',
    detailType: 'Step Functions Execution Status Change',
    resources: [execution.executionArn],
    detail: {
      executionArn: execution.executionArn,
      stateMachineArn: execution.stateMachineArn,
      name: execution.name,
      status: execution.status,
      startDate: execution.startDate.getTime(),
      stopDate: execution.stopDate?.getTime() ?? null,
      input: execution.input,
      output: execution.output ?? null,
      error: execution.error ?? null,
      cause: execution.cause ?? null,
    },
  };
}
