import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  RedriveExecutionCommand,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ExecutionStatusChange } from '../../../local/stepfunctions';
import { expectServiceError, parseJsonText, startHarness, waitForCompletion } from './stepfunctions-harness';

class RowConflictError extends Error {
  override name = 'RowConflictError';
}

describe('local Step Functions engine: executions', () => {
  it('runs an execution to SUCCEEDED with the handler output and a fake Lambda context', async () => {
    const { engine, sfn } = await startHarness(['greet'], {
      greet: async (event, context) => ({
        event,
        functionName: context.functionName,
        invokedFunctionArn: context.invokedFunctionArn,
        hasTimeLeft: context.getRemainingTimeInMillis() > 0,
      }),
    });
    const stateMachineArn = engine.stateMachineArn('greet');

    const started = await sfn.send(
      new StartExecutionCommand({ stateMachineArn, name: 'greet-1', input: '{"name":"Ada"}' }),
    );
    const execution = await waitForCompletion(sfn, started.executionArn);

    expect(stateMachineArn).toBe('arn:aws:states:us-east-1:000000000000:stateMachine:greet');
    expect(started.executionArn).toBe('arn:aws:states:us-east-1:000000000000:execution:greet:greet-1');
    expect(started.startDate).toBeInstanceOf(Date);
    expect(execution).toMatchObject({
      status: 'SUCCEEDED',
      name: 'greet-1',
      stateMachineArn,
      input: '{"name":"Ada"}',
      redriveCount: 0,
      redriveStatus: 'NOT_REDRIVABLE',
    });
    expect(execution.stopDate?.getTime()).toBeGreaterThanOrEqual(execution.startDate?.getTime() ?? Infinity);
    expect(parseJsonText(execution.output)).toEqual({
      event: { name: 'Ada' },
      functionName: 'GreetFunction',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:GreetFunction',
      hasTimeLeft: true,
    });
  });

  it('records a history of the run in AWS event types', async () => {
    const { engine, sfn } = await startHarness(['greet'], { greet: async () => 'hi' });
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: engine.stateMachineArn('greet') }),
    );
    await waitForCompletion(sfn, executionArn);

    const { events = [] } = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));

    expect(events.map((event) => event.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    expect(events.map((event) => event.id)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(events[5]?.executionSucceededEventDetails?.output).toBe('"hi"');
  });

  it('makes StartExecution idempotent by name while the execution runs', async () => {
    const release = Promise.withResolvers<void>();
    const { engine, sfn } = await startHarness(['greet'], {
      greet: async () => {
        await release.promise;
        return 'done';
      },
    });
    const stateMachineArn = engine.stateMachineArn('greet');
    const start = (input: string) =>
      sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'import-42', input }));

    const first = await start('{"rows":1}');
    const again = await start('{"rows":1}');

    expect(again.executionArn).toBe(first.executionArn);
    expect(again.startDate).toEqual(first.startDate);
    await expectServiceError(start('{"rows":2}'), 'ExecutionAlreadyExists');
    await expectServiceError(
      sfn.send(new RedriveExecutionCommand({ executionArn: first.executionArn })),
      'ExecutionNotRedrivable',
    );

    release.resolve();
    await waitForCompletion(sfn, first.executionArn);
    await expectServiceError(start('{"rows":1}'), 'ExecutionAlreadyExists');
  });

  it('returns the lambda:invoke response shape to ResultSelector', async () => {
    const { engine, sfn } = await startHarness(['provision-row'], {
      provisionRow: async (event) => ({ provisioned: event }),
    });

    const { executionArn } = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: engine.stateMachineArn('provision-row'),
        input: '{"row":2}',
      }),
    );
    const execution = await waitForCompletion(sfn, executionArn);

    expect(execution.status).toBe('SUCCEEDED');
    expect(parseJsonText(execution.output)).toEqual({ row: { provisioned: { row: 2 } }, statusCode: 200 });
  });

  it('retries a failing task per its Retry and then follows its Catch', async () => {
    let calls = 0;
    const { engine, sfn } = await startHarness(['provision-row'], {
      provisionRow: async () => {
        calls += 1;
        throw new RowConflictError('jane@example.com already exists');
      },
    });

    const { executionArn } = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: engine.stateMachineArn('provision-row'),
        input: '{"row":2}',
      }),
    );
    const execution = await waitForCompletion(sfn, executionArn);

    expect(calls).toBe(3);
    expect(execution.status).toBe('SUCCEEDED');
    const output = z
      .object({ rowStatus: z.string(), error: z.string(), cause: z.string() })
      .parse(parseJsonText(execution.output));
    expect(output).toMatchObject({ rowStatus: 'FAILED', error: 'RowConflictError' });
    expect(parseJsonText(output.cause)).toMatchObject({
      errorType: 'RowConflictError',
      errorMessage: 'jane@example.com already exists',
    });
  });

  it('fails the execution with the error and cause of a task that keeps failing', async () => {
    let calls = 0;
    const { engine, sfn } = await startHarness(['provision-row'], {
      provisionRow: async () => {
        calls += 1;
        throw new TypeError('rows is not iterable');
      },
    });

    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: engine.stateMachineArn('provision-row') }),
    );
    const execution = await waitForCompletion(sfn, executionArn);

    expect(calls).toBe(2);
    expect(execution).toMatchObject({ status: 'FAILED', error: 'TypeError', redriveStatus: 'REDRIVABLE' });
    expect(parseJsonText(execution.cause)).toMatchObject({
      errorType: 'TypeError',
      errorMessage: 'rows is not iterable',
    });
  });

  it('tells of an execution that failed as AWS tells EventBridge, and of none that succeeded', async () => {
    const changes: ExecutionStatusChange[] = [];
    let fail = true;
    const { engine, sfn } = await startHarness(
      ['provision-row'],
      {
        provisionRow: async () => {
          if (fail) throw new TypeError('rows is not iterable');
          return { created: 1 };
        },
      },
      { onStatusChange: (change) => changes.push(change) },
    );
    const stateMachineArn = engine.stateMachineArn('provision-row');

    const failed = await sfn.send(
      new StartExecutionCommand({ stateMachineArn, name: 'run-1', input: '{"a":1}' }),
    );
    await waitForCompletion(sfn, failed.executionArn);
    fail = false;
    await sfn.send(new RedriveExecutionCommand({ executionArn: failed.executionArn }));
    await waitForCompletion(sfn, failed.executionArn);

    expect(changes).toEqual([
      {
        source: 'aws.states',
        detailType: 'Step Functions Execution Status Change',
        resources: [failed.executionArn],
        detail: {
          executionArn: failed.executionArn,
          stateMachineArn,
          name: 'run-1',
          status: 'FAILED',
          startDate: expect.any(Number),
          stopDate: expect.any(Number),
          input: '{"a":1}',
          output: null,
          error: 'TypeError',
          cause: expect.stringContaining('rows is not iterable'),
        },
      },
    ]);
  });

  it('runs a DISTRIBUTED Map over an inline array, one handler call per item', async () => {
    const { engine, sfn } = await startHarness(['distributed-map'], { provisionRow: async (event) => event });
    const input = {
      importId: 'imp_1',
      rows: [{ email: 'a@x.io' }, { email: 'b@x.io' }, { email: 'c@x.io' }],
    };

    const { executionArn } = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: engine.stateMachineArn('distributed-map'),
        input: JSON.stringify(input),
      }),
    );
    const execution = await waitForCompletion(sfn, executionArn);

    expect(execution.status).toBe('SUCCEEDED');
    expect(parseJsonText(execution.output)).toEqual(
      input.rows.map((row, index) => ({ row, index, importId: 'imp_1' })),
    );
  });

  it('redrives a FAILED execution from the start under the same ARN', async () => {
    let healthy = false;
    const { engine, sfn } = await startHarness(['provision-row'], {
      provisionRow: async (event) => {
        if (!healthy) throw new TypeError('table is unavailable');
        return event;
      },
    });
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: engine.stateMachineArn('provision-row'),
        input: '{"row":7}',
      }),
    );
    expect((await waitForCompletion(sfn, executionArn)).status).toBe('FAILED');

    healthy = true;
    const { redriveDate } = await sfn.send(new RedriveExecutionCommand({ executionArn }));
    const execution = await waitForCompletion(sfn, executionArn);

    expect(redriveDate).toBeInstanceOf(Date);
    expect(execution).toMatchObject({
      status: 'SUCCEEDED',
      redriveCount: 1,
      executionArn,
      input: '{"row":7}',
    });
    expect(execution.error).toBeUndefined();
    expect(parseJsonText(execution.output)).toEqual({ row: { row: 7 }, statusCode: 200 });
    await expectServiceError(
      sfn.send(new RedriveExecutionCommand({ executionArn })),
      'ExecutionNotRedrivable',
    );
  });

  it('stops an execution whose handler never returns, and stop() lets go of it', async () => {
    const { engine, sfn } = await startHarness(['greet'], { greet: () => new Promise(() => {}) });
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: engine.stateMachineArn('greet') }),
    );
    const hanging = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: engine.stateMachineArn('greet'),
        name: 'hangs-until-shutdown',
      }),
    );

    await sfn.send(
      new StopExecutionCommand({ executionArn, error: 'Operator', cause: 'cancelled from the console' }),
    );
    const stopped = await sfn.send(new DescribeExecutionCommand({ executionArn }));

    expect(stopped).toMatchObject({
      status: 'ABORTED',
      error: 'Operator',
      cause: 'cancelled from the console',
    });
    expect(
      (await sfn.send(new DescribeExecutionCommand({ executionArn: hanging.executionArn }))).status,
    ).toBe('RUNNING');
    await engine.stop();
    await expect(fetch(engine.endpoint)).rejects.toThrow();
  });

  it('lists executions newest first and filters them by status', async () => {
    const { engine, sfn } = await startHarness(['greet'], {
      greet: async (event) => {
        if (event === 'fail') throw new Error('no');
        return event;
      },
    });
    const stateMachineArn = engine.stateMachineArn('greet');
    for (const name of ['first', 'second', 'third']) {
      const input = JSON.stringify(name === 'second' ? 'fail' : name);
      const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input }));
      await waitForCompletion(sfn, executionArn);
    }

    const all = await sfn.send(new ListExecutionsCommand({ stateMachineArn }));
    const failed = await sfn.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'FAILED' }));
    const firstPage = await sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 2 }));
    const secondPage = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn, maxResults: 2, nextToken: firstPage.nextToken }),
    );

    expect(all.executions?.map((execution) => execution.name)).toEqual(['third', 'second', 'first']);
    expect(failed.executions?.map((execution) => execution.name)).toEqual(['second']);
    expect([...(firstPage.executions ?? []), ...(secondPage.executions ?? [])].map((e) => e.name)).toEqual([
      'third',
      'second',
      'first',
    ]);
    expect(secondPage.nextToken).toBeUndefined();
  });

  it('answers ExecutionDoesNotExist, StateMachineDoesNotExist and InvalidArn', async () => {
    const { sfn } = await startHarness([]);
    const unknownExecution = 'arn:aws:states:us-east-1:000000000000:execution:greet:never-started';

    await expectServiceError(
      sfn.send(new DescribeExecutionCommand({ executionArn: unknownExecution })),
      'ExecutionDoesNotExist',
    );
    await expectServiceError(
      sfn.send(new RedriveExecutionCommand({ executionArn: unknownExecution })),
      'ExecutionDoesNotExist',
    );
    await expectServiceError(
      sfn.send(
        new StartExecutionCommand({
          stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:nope',
        }),
      ),
      'StateMachineDoesNotExist',
    );
    await expectServiceError(
      sfn.send(new DescribeExecutionCommand({ executionArn: 'not-an-arn' })),
      'InvalidArn',
    );
  });
});
