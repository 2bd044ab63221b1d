import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  eventually,
  expectServiceError,
  parseJsonText,
  startHarness,
  waitForCompletion,
} from './stepfunctions-harness';

const approvalRequest = z.object({ taskToken: z.string(), importId: z.string(), executionId: z.string() });
type ApprovalRequest = z.infer<typeof approvalRequest>;

/** The approval fixture's Lambda: it hands the request (and its task token) to the test, as a mailer would. */
async function startApproval(importId: string) {
  const requested = Promise.withResolvers<ApprovalRequest>();
  const harness = await startHarness(['approval'], {
    requestApproval: async (event) => {
      requested.resolve(approvalRequest.parse(event));
      return { notified: true };
    },
  });
  const { executionArn } = await harness.sfn.send(
    new StartExecutionCommand({
      stateMachineArn: harness.engine.stateMachineArn('approval'),
      input: JSON.stringify({ importId }),
    }),
  );
  return { ...harness, executionArn, request: await requested.promise };
}

describe('local Step Functions engine: callback tasks', () => {
  it('pauses on waitForTaskToken until SendTaskSuccess, whose output becomes the task result', async () => {
    const { sfn, executionArn, request } = await startApproval('imp_1');

    expect(request).toMatchObject({ importId: 'imp_1', executionId: executionArn });
    expect(request.taskToken.length).toBeGreaterThan(40);
    const paused = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(paused.status).toBe('RUNNING');

    await sfn.send(
      new SendTaskSuccessCommand({ taskToken: request.taskToken, output: '{"approvedBy":"ops"}' }),
    );
    const execution = await waitForCompletion(sfn, executionArn);

    expect(execution.status).toBe('SUCCEEDED');
    expect(parseJsonText(execution.output)).toEqual({ importId: 'imp_1', approval: { approvedBy: 'ops' } });
    await expectServiceError(
      sfn.send(new SendTaskSuccessCommand({ taskToken: request.taskToken, output: '{}' })),
      'TaskTimedOut',
    );
  });

  it('turns SendTaskFailure into an error the ASL Catch handles', async () => {
    const { sfn, executionArn, request } = await startApproval('imp_2');

    await sfn.send(
      new SendTaskFailureCommand({
        taskToken: request.taskToken,
        error: 'ApprovalRejected',
        cause: 'not today',
      }),
    );
    const execution = await waitForCompletion(sfn, executionArn);

    expect(execution.status).toBe('SUCCEEDED');
    expect(parseJsonText(execution.output)).toEqual({
      importId: 'imp_2',
      rejection: { Error: 'ApprovalRejected', Cause: 'not today' },
    });
  });

  it('fails the task when the callback Lambda itself fails', async () => {
    const { engine, sfn } = await startHarness(['approval'], {
      requestApproval: async () => {
        throw new RangeError('mailer is down');
      },
    });
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: engine.stateMachineArn('approval'),
        input: '{"importId":"i"}',
      }),
    );

    const execution = await waitForCompletion(sfn, executionArn);

    expect(execution).toMatchObject({ status: 'FAILED', error: 'RangeError' });
  });

  it('answers InvalidToken for a token it never issued', async () => {
    const { sfn } = await startHarness([]);

    await expectServiceError(
      sfn.send(new SendTaskSuccessCommand({ taskToken: 'not-a-token', output: '{}' })),
      'InvalidToken',
    );
    await expectServiceError(
      sfn.send(new SendTaskFailureCommand({ taskToken: 'not-a-token' })),
      'InvalidToken',
    );
    await expectServiceError(
      sfn.send(new SendTaskHeartbeatCommand({ taskToken: 'not-a-token' })),
      'InvalidToken',
    );
  });

  it('publishes a non-Lambda callback token in the history, and fails the task when heartbeats stop', async () => {
    const { engine, sfn } = await startHarness(['queue-callback']);
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: engine.stateMachineArn('queue-callback'),
        input: '{"job":"export"}',
      }),
    );

    const parameters = await eventually(async () => {
      const { events = [] } = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
      return events.find((event) => event.type === 'TaskScheduled')?.taskScheduledEventDetails;
    });
    const { MessageBody } = z
      .object({ MessageBody: z.object({ taskToken: z.string(), job: z.string() }) })
      .parse(parseJsonText(parameters.parameters));
    await sfn.send(new SendTaskHeartbeatCommand({ taskToken: MessageBody.taskToken }));
    const execution = await waitForCompletion(sfn, executionArn);

    expect(parameters).toMatchObject({ resourceType: 'sqs', resource: 'sendMessage.waitForTaskToken' });
    expect(MessageBody.job).toBe('export');
    expect(execution).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
  });
});
