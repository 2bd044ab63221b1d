import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { engineClientConfig } from '../support/api';

const endpoints = inject('endpoints');
const env = inject('env');

const client = new SFNClient(engineClientConfig('sfn'));
afterAll(() => client.destroy());

describe('the local Step Functions engine in the stack', () => {
  it('is where handlers reach Step Functions, and answers the Step Functions API', async () => {
    expect(env.AWS_ENDPOINT_URL_SFN).toBe(endpoints.sfn);
    const unknown = 'arn:aws:states:us-east-1:000000000000:execution:NoSuchMachine:nope';
    await expect(client.send(new DescribeExecutionCommand({ executionArn: unknown }))).rejects.toMatchObject({
      name: 'ExecutionDoesNotExist',
    });
  });

  it('runs the bulk-import state machine whose ARN handlers get as BULK_IMPORT_STATE_MACHINE_ARN', async () => {
    expect(env.BULK_IMPORT_STATE_MACHINE_ARN).toBe(
      'arn:aws:states:us-east-1:000000000000:stateMachine:BulkImport',
    );
    const listed = await client.send(
      new ListExecutionsCommand({ stateMachineArn: env.BULK_IMPORT_STATE_MACHINE_ARN }),
    );
    expect(listed.executions).toEqual(expect.any(Array));
  });
});
