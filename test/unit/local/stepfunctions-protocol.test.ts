import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { startLocalStepFunctions } from '../../../local/stepfunctions';
import { expectServiceError, startHarness } from './stepfunctions-harness';

/** Posts a raw JSON 1.0 request, as the SDK would, and returns the status and parsed body. */
async function post(endpoint: string, target: string | undefined, body: string) {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.0', ...(target && { 'x-amz-target': target }) },
    body,
  });
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    body: await response.json(),
  };
}

describe('local Step Functions engine: JSON 1.0 protocol', () => {
  it('answers UnknownOperationException for an operation it does not serve', async () => {
    const { engine } = await startHarness([]);

    for (const target of ['AWSStepFunctions.CreateStateMachine', 'DynamoDB_20120810.GetItem', undefined]) {
      const reply = await post(engine.endpoint, target, '{}');
      expect(reply).toMatchObject({ status: 400, body: { __type: 'UnknownOperationException' } });
    }
  });

  it('answers SerializationException for a body that is not JSON', async () => {
    const { engine } = await startHarness([]);

    const reply = await post(engine.endpoint, 'AWSStepFunctions.DescribeExecution', '{"executionArn":');

    expect(reply).toMatchObject({
      status: 400,
      contentType: 'application/x-amz-json-1.0',
      body: { __type: 'SerializationException' },
    });
  });

  it('answers ValidationException for a request that misses a required member', async () => {
    const { engine } = await startHarness([]);

    const reply = await post(engine.endpoint, 'AWSStepFunctions.StartExecution', '{"name":"x"}');

    expect(reply).toMatchObject({
      status: 400,
      body: { __type: 'ValidationException', message: expect.stringContaining('stateMachineArn') },
    });
  });

  it('rejects an execution input that is not JSON and a name AWS would refuse', async () => {
    const { engine, sfn } = await startHarness(['greet'], { greet: async () => null });
    const stateMachineArn = engine.stateMachineArn('greet');

    await expectServiceError(
      sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{not json' })),
      'InvalidExecutionInput',
    );
    await expectServiceError(
      sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'a b' })),
      'InvalidName',
    );
  });

  it('refuses to start with an ASL placeholder the configuration does not map', async () => {
    await expect(
      startLocalStepFunctions({
        stateMachines: [
          {
            name: 'greet',
            definitionFile: 'test/fixtures/statemachines/greet.asl.json',
            tasks: {},
            parameters: {},
          },
        ],
        loadHandler: async () => async () => null,
        region: 'us-east-1',
        accountId: '000000000000',
      }),
    ).rejects.toThrow(/\$\{GreetFunction\}/);
  });
});
