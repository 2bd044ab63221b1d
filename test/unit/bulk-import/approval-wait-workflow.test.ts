import {
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadBulkImportSettings } from '../../../config/bulk-import-settings';
import { loadEntitlementSettings } from '../../../config/entitlement-settings';
import { stateMachines } from '../../../config/state-machines';
import { approvalIdFor } from '../../../functions/approvals/domain/approval';
import {
  finalizeInputSchema,
  settleInputSchema,
  WAIT_TIMED_OUT_JUSTIFICATION,
} from '../../../functions/bulk-import/handlers/workflow-input';
import { type LocalStepFunctions, startLocalStepFunctions } from '../../../local/stepfunctions';
import { eventually, parseJsonText, waitForCompletion } from '../local/stepfunctions-harness';

const MANIFEST = { bucket: 'muster-reports', key: 'acme/manifest.json' };
const TASK_ID = 't_01jwaitworkflow00000000000';
const RUN = { tenantId: 'acme', taskId: TASK_ID, run: 1, correlationId: 'c1' };
const taskTokenSchema = z.object({ taskToken: z.string() });

type Handler = (event: unknown) => Promise<unknown>;

let engine: LocalStepFunctions | undefined;
let sfn: SFNClient | undefined;
afterEach(async () => {
  sfn?.destroy();
  await engine?.stop();
});

/**
 * statemachines/bulk-import.asl.json in the local engine, with a run whose Finalize leaves it
 * AWAITING_APPROVAL; the approval and settlement steps are the test's. The callback's backstop is
 * cut to one second so its timeout can be seen.
 */
async function runWaitingImport(handlers: { requestApproval: Handler; settleGrants?: Handler }) {
  const finalized: unknown[] = [];
  const settled: unknown[] = [];
  const all: Record<string, Handler> = {
    prepareBatches: async () => ({ manifest: MANIFEST, batchCount: 1 }),
    provisionBatch: async () => ({ created: 1 }),
    notifyBatch: async () => ({ notified: 0 }),
    finalizeImport: async (event) => {
      finalized.push(event);
      return { status: finalized.length === 1 ? 'AWAITING_APPROVAL' : 'FAILED' };
    },
    requestApproval: handlers.requestApproval,
    settleGrants: async (event) => {
      settled.push(event);
      return handlers.settleGrants ? handlers.settleGrants(event) : { status: 'COMPLETED' };
    },
  };
  const machines = stateMachines({
    bulkImport: loadBulkImportSettings(),
    entitlements: loadEntitlementSettings(),
  });
  engine = await startLocalStepFunctions({
    stateMachines: machines.map((machine) =>
      machine.name === 'BulkImport'
        ? { ...machine, parameters: { ...machine.parameters, ApprovalTimeoutSeconds: '1' } }
        : machine,
    ),
    loadHandler: async (task) => {
      const handler = all[task.export];
      if (!handler) throw new Error(`no handler ${task.export}`);
      return handler;
    },
    region: 'us-east-1',
    accountId: '000000000000',
    retryIntervalMs: 0,
    readObject: async () => JSON.stringify([{ number: 1, key: 'acme/batch-1.json' }]),
  });
  sfn = new SFNClient({
    endpoint: engine.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({
      stateMachineArn: engine.stateMachineArn('BulkImport'),
      input: JSON.stringify({ ...RUN, sendWelcome: false }),
    }),
  );
  return { sfn, executionArn, finalized, settled };
}

describe('statemachines/bulk-import.asl.json: the wait for an import’s approval', () => {
  it('settles the grants as expired when the callback times out, and succeeds', async () => {
    const { sfn, executionArn, settled } = await runWaitingImport({ requestApproval: async () => undefined });
    const execution = await waitForCompletion(sfn, executionArn, 10_000);

    expect(execution.status).toBe('SUCCEEDED');
    expect(parseJsonText(execution.output)).toMatchObject({ final: { status: 'COMPLETED' } });
    expect(settled).toHaveLength(1);
    expect(settleInputSchema.parse(settled[0]).outcome).toEqual({
      approvalId: approvalIdFor('acme', { type: 'bulk_import', taskId: TASK_ID, run: 1 }),
      decision: 'EXPIRED',
      justification: WAIT_TIMED_OUT_JUSTIFICATION,
    });
  });

  it('hands a rejection’s outcome to the settlement', async () => {
    const outcome = {
      approvalId: 'apr_1',
      decision: 'REJECTED',
      decidedBy: 'u_sec',
      decidedAt: '2026-05-04T09:00:00.000Z',
      justification: 'No.',
      risk: 'high',
    };
    const tokens: string[] = [];
    const { sfn, executionArn, settled } = await runWaitingImport({
      requestApproval: async (event) => {
        tokens.push(taskTokenSchema.parse(event).taskToken);
        return undefined;
      },
    });
    const taskToken = await eventually(async () => tokens[0]);
    await sfn.send(
      new SendTaskFailureCommand({ taskToken, error: 'Approval.Rejected', cause: JSON.stringify(outcome) }),
    );
    const execution = await waitForCompletion(sfn, executionArn);

    expect(execution.status).toBe('SUCCEEDED');
    expect(settleInputSchema.parse(settled[0]).outcome).toEqual(outcome);
  });

  it.each([
    [
      'the approval cannot be requested',
      {
        requestApproval: async () => {
          throw new Error('approvals unavailable');
        },
      },
      0,
    ],
    [
      'the settlement fails after its retries',
      {
        requestApproval: async (event: unknown) => {
          const { taskToken } = taskTokenSchema.parse(event);
          // Answered by a rejection whose cause the settlement refuses.
          setImmediate(() => {
            void sfn?.send(new SendTaskFailureCommand({ taskToken, error: 'Approval.Rejected', cause: '{' }));
          });
          return undefined;
        },
        settleGrants: async () => {
          throw new Error('Cause is not JSON');
        },
      },
      loadBulkImportSettings().retry.maxAttempts + 1,
    ],
  ])('ends the run FAILED through Finalize when %s', async (_case, handlers, settleAttempts) => {
    const { sfn, executionArn, finalized, settled } = await runWaitingImport(handlers);
    const execution = await waitForCompletion(sfn, executionArn);

    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('ApprovalFailed');
    expect(execution.cause).toMatch(/the task is FAILED/);
    expect(settled).toHaveLength(settleAttempts);
    expect(finalized).toEqual([
      { ...RUN, outcome: 'FINISHED' },
      { ...RUN, outcome: 'FAILED', error: { Error: expect.any(String), Cause: expect.any(String) } },
    ]);
  });
  it('hands the approval to Finalize, and fails saying nothing resumes it yet, when settling an approved run fails after its retries', async () => {
    const outcome = {
      approvalId: 'apr_1',
      decision: 'APPROVED',
      decidedBy: 'u_sec',
      decidedAt: '2026-05-04T09:00:00.000Z',
      justification: 'Yes.',
      risk: 'high',
    };
    const { sfn, executionArn, finalized, settled } = await runWaitingImport({
      requestApproval: async (event) => {
        const { taskToken } = taskTokenSchema.parse(event);
        setImmediate(() => {
          void sfn?.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(outcome) }));
        });
        return undefined;
      },
      settleGrants: async () => {
        throw new Error('table throttled');
      },
    });
    const execution = await waitForCompletion(sfn, executionArn);

    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('GrantSettlementFailed');
    expect(execution.cause).toMatch(/Nothing resumes this end yet: a redrive is refused/);
    expect(settled).toHaveLength(loadBulkImportSettings().retry.maxAttempts + 1);
    expect(finalized).toEqual([
      { ...RUN, outcome: 'FINISHED' },
      {
        ...RUN,
        outcome: 'FAILED',
        error: { Error: expect.any(String), Cause: expect.any(String) },
        approval: outcome,
      },
    ]);
    expect(finalizeInputSchema.parse(finalized[1]).approval).toEqual(outcome);
  });
});
