import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { expect, onTestFinished } from 'vitest';
import type { StateMachineDefinition } from '../../../config/state-machines';
import {
  type LambdaHandler,
  type LocalStepFunctions,
  type LocalStepFunctionsOptions,
  startLocalStepFunctions,
} from '../../../local/stepfunctions';

const FIXTURES = 'test/fixtures/statemachines';

/** The fixture state machines; each task's `export` names the handler a test passes to startHarness. */
const STATE_MACHINES = [
  {
    name: 'greet',
    definitionFile: `${FIXTURES}/greet.asl.json`,
    tasks: { GreetFunction: { entry: 'test/fixtures/handlers.ts', export: 'greet' } },
    parameters: {},
  },
  {
    name: 'provision-row',
    definitionFile: `${FIXTURES}/provision-row.asl.json`,
    tasks: { ProvisionRowFunction: { entry: 'test/fixtures/handlers.ts', export: 'provisionRow' } },
    parameters: {},
  },
  {
    name: 'approval',
    definitionFile: `${FIXTURES}/approval.asl.json`,
    tasks: { RequestApprovalFunction: { entry: 'test/fixtures/handlers.ts', export: 'requestApproval' } },
    parameters: {},
  },
  {
    name: 'queue-callback',
    definitionFile: `${FIXTURES}/queue-callback.asl.json`,
    tasks: {},
    parameters: {},
  },
  {
    name: 'distributed-map',
    definitionFile: `${FIXTURES}/distributed-map.asl.json`,
    tasks: { ProvisionRowFunction: { entry: 'test/fixtures/handlers.ts', export: 'provisionRow' } },
    parameters: {},
  },
  {
    name: 'item-reader',
    definitionFile: `${FIXTURES}/item-reader.asl.json`,
    tasks: {
      PrepareFunction: { entry: 'test/fixtures/handlers.ts', export: 'prepare' },
      ProvisionBatchFunction: { entry: 'test/fixtures/handlers.ts', export: 'provisionBatch' },
    },
    // Numbers, as config/bulk-import-settings.ts gives them: substituted unquoted, before JSON.parse.
    parameters: { BatchConcurrency: '2', BatchMaxAttempts: '2' },
  },
] as const satisfies readonly StateMachineDefinition<string>[];

type FixtureName = (typeof STATE_MACHINES)[number]['name'];

export interface Harness {
  readonly engine: LocalStepFunctions;
  readonly sfn: SFNClient;
}

/**
 * Starts an engine with the fixture state machines a test names (asl-validator takes ~100 ms for each)
 * whose tasks call `handlers` by export name, and stops it when the test ends.
 */
export async function startHarness(
  machines: readonly FixtureName[],
  handlers: Readonly<Record<string, LambdaHandler>> = {},
  options: Pick<LocalStepFunctionsOptions, 'readObject' | 'onStatusChange'> = {},
): Promise<Harness> {
  const engine = await startLocalStepFunctions({
    stateMachines: STATE_MACHINES.filter((machine) => machines.includes(machine.name)),
    loadHandler: async (task) => {
      const handler = handlers[task.export];
      if (!handler) throw new Error(`this test defines no handler "${task.export}"`);
      return handler;
    },
    region: 'us-east-1',
    accountId: '000000000000',
    retryIntervalMs: 0,
    ...options,
  });
  const sfn = new SFNClient({
    endpoint: engine.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  onTestFinished(async () => {
    sfn.destroy();
    await engine.stop();
  });
  return { engine, sfn };
}

/** Polls `probe` every 10 ms until it returns a value, for at most `timeoutMs`. */
export async function eventually<Value>(
  probe: () => Promise<Value | undefined>,
  timeoutMs = 5_000,
): Promise<Value> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`nothing after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export async function waitForCompletion(
  sfn: SFNClient,
  executionArn: string | undefined,
  timeoutMs = 5_000,
): Promise<DescribeExecutionCommandOutput> {
  return eventually(async () => {
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    return execution.status === 'RUNNING' ? undefined : execution;
  }, timeoutMs);
}

/** Runs `send` and expects the service error named `errorName`. */
export async function expectServiceError(send: Promise<unknown>, errorName: string): Promise<void> {
  await expect(send).rejects.toMatchObject({ name: errorName, $metadata: { httpStatusCode: 400 } });
}

export function parseJsonText(text: string | undefined): unknown {
  return JSON.parse(text ?? 'null');
}
