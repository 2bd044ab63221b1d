import {
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkflowCallback } from '../../../../functions/shared/aws/workflow-callback';

// The local engine has no task that times out between a decision and its callback; AWS does.
const sfn = new SFNClient({ region: 'eu-west-1' });
const mock = mockClient(sfn);
const callback = new WorkflowCallback(sfn);
afterEach(() => mock.reset());

describe('WorkflowCallback', () => {
  it('sends the output as JSON and reports the task resumed', async () => {
    mock.on(SendTaskSuccessCommand).resolves({});
    expect(await callback.sendSuccess('token-1', { decision: 'APPROVED' })).toBe('resumed');
    expect(mock.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input).toEqual({
      taskToken: 'token-1',
      output: '{"decision":"APPROVED"}',
    });
  });

  it('sends the error name and the cause as JSON', async () => {
    mock.on(SendTaskFailureCommand).resolves({});
    expect(await callback.sendFailure('token-2', 'Approval.Rejected', { decision: 'REJECTED' })).toBe(
      'resumed',
    );
    expect(mock.commandCalls(SendTaskFailureCommand)[0]?.args[0].input).toEqual({
      taskToken: 'token-2',
      error: 'Approval.Rejected',
      cause: '{"decision":"REJECTED"}',
    });
  });

  it('reports a task that timed out as no longer waiting', async () => {
    mock.on(SendTaskSuccessCommand).rejects(new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} }));
    expect(await callback.sendSuccess('token-3', {})).toBe('not-waiting');
  });

  it('reports a token Step Functions does not know as no longer waiting', async () => {
    mock.on(SendTaskFailureCommand).rejects(new InvalidToken({ message: 'Invalid Token', $metadata: {} }));
    expect(await callback.sendFailure('token-4', 'Approval.Expired', {})).toBe('not-waiting');
  });

  it('throws anything else, so the caller retries', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    mock.on(SendTaskSuccessCommand).rejects(throttled);
    await expect(callback.sendSuccess('token-5', {})).rejects.toThrow('Rate exceeded');
  });
});
