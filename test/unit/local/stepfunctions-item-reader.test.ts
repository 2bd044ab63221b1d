import { GetExecutionHistoryCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadBulkImportSettings } from '../../../config/bulk-import-settings';
import { loadEntitlementSettings } from '../../../config/entitlement-settings';
import { stateMachines } from '../../../config/state-machines';
import { startLocalStepFunctions } from '../../../local/stepfunctions';
import { bridgeItemReaders, ITEM_READER_RESOURCE } from '../../../local/stepfunctions/item-reader';
import { parseJsonText, startHarness, waitForCompletion } from './stepfunctions-harness';

const MANIFEST = { bucket: 'muster-reports', key: 'tenants/t1/imports/imp_1/manifest.json' };

/** An in-memory S3 for the bridge: what it was asked for, and the objects it holds. */
function objectStore(objects: Record<string, string>) {
  const reads: string[] = [];
  return {
    reads,
    readObject: async (bucket: string, key: string) => {
      reads.push(`${bucket}/${key}`);
      const body = objects[`${bucket}/${key}`];
      if (body === undefined)
        throw Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey' });
      return body;
    },
  };
}

const batchSchema = z.object({
  batch: z.object({ batchId: z.string(), rows: z.array(z.number()) }),
  index: z.number(),
  importId: z.string(),
});

describe('local Step Functions: the ItemReader bridge', () => {
  it('runs a DISTRIBUTED Map over every item of a JSON manifest read from S3, with ItemSelector and MaxConcurrency', async () => {
    const batches = Array.from({ length: 25 }, (_, index) => ({
      batchId: `b${String(index).padStart(3, '0')}`,
      rows: [index * 2 + 2, index * 2 + 3],
    }));
    const store = objectStore({ [`${MANIFEST.bucket}/${MANIFEST.key}`]: JSON.stringify(batches) });
    const seen: z.infer<typeof batchSchema>[] = [];
    let running = 0;
    let mostAtOnce = 0;
    const { engine, sfn } = await startHarness(
      ['item-reader'],
      {
        prepare: async () => ({ manifest: MANIFEST }),
        provisionBatch: async (event) => {
          running += 1;
          mostAtOnce = Math.max(mostAtOnce, running);
          await new Promise((resolve) => setTimeout(resolve, 5));
          running -= 1;
          const item = batchSchema.parse(event);
          seen.push(item);
          return { batchId: item.batch.batchId, created: item.batch.rows.length };
        },
      },
      { readObject: store.readObject },
    );

    const { executionArn } = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: engine.stateMachineArn('item-reader'),
        input: JSON.stringify({ importId: 'imp_1' }),
      }),
    );
    const execution = await waitForCompletion(sfn, executionArn);

    expect(execution.status).toBe('SUCCEEDED');
    expect(store.reads).toEqual([`${MANIFEST.bucket}/${MANIFEST.key}`]);
    // Every item exactly once, each with its index and the Map's own input beside it.
    expect(seen.map((item) => item.batch.batchId).sort()).toEqual(batches.map((batch) => batch.batchId));
    expect(seen.every((item) => item.importId === 'imp_1')).toBe(true);
    expect(seen.map((item) => item.index).sort((a, b) => a - b)).toEqual(batches.map((_, index) => index));
    // MaxConcurrency is `${BatchConcurrency}`, substituted as the number 2.
    expect(mostAtOnce).toBe(2);
    // The Map's output is its results in item order; the items never enter the state data.
    expect(parseJsonText(execution.output)).toEqual({
      importId: 'imp_1',
      prepared: { manifest: MANIFEST },
      provisioned: batches.map((batch) => ({ batchId: batch.batchId, created: 2 })),
    });
  });

  it('leaves the bridge out of the history, which shows the Map as AWS does', async () => {
    const store = objectStore({ [`${MANIFEST.bucket}/${MANIFEST.key}`]: '[{"batchId":"b1","rows":[2]}]' });
    const { engine, sfn } = await startHarness(
      ['item-reader'],
      { prepare: async () => ({ manifest: MANIFEST }), provisionBatch: async () => ({}) },
      store,
    );
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: engine.stateMachineArn('item-reader'),
        input: '{"importId":"i"}',
      }),
    );
    await waitForCompletion(sfn, executionArn);

    const { events = [] } = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
    const names = events.flatMap((event) => event.stateEnteredEventDetails?.name ?? []);
    expect(names).toEqual(['Prepare', 'ProvisionBatches', 'ProvisionBatch', 'Done']);
    expect(events.map((event) => event.type)).toContain('MapIterationSucceeded');
  });

  it.each([
    [
      'is missing',
      {},
      /cannot read s3:\/\/muster-reports\/tenants\/t1\/imports\/imp_1\/manifest\.json: NoSuchKey/,
    ],
    ['is not JSON', { [`${MANIFEST.bucket}/${MANIFEST.key}`]: 'batchId,rows' }, /is not JSON/],
    [
      'is not an array',
      { [`${MANIFEST.bucket}/${MANIFEST.key}`]: '{"batches":[]}' },
      /must hold a JSON array/,
    ],
  ])(
    'fails the Map with States.ItemReaderFailed when the manifest %s, and the Map’s Catch takes it',
    async (_case, objects, cause) => {
      let provisioned = 0;
      const { engine, sfn } = await startHarness(
        ['item-reader'],
        {
          prepare: async () => ({ manifest: MANIFEST }),
          provisionBatch: async () => {
            provisioned += 1;
            return {};
          },
        },
        objectStore(objects),
      );
      const { executionArn } = await sfn.send(
        new StartExecutionCommand({
          stateMachineArn: engine.stateMachineArn('item-reader'),
          input: '{"importId":"i"}',
        }),
      );
      const execution = await waitForCompletion(sfn, executionArn);

      expect(execution.status).toBe('SUCCEEDED');
      const output = z
        .object({ error: z.object({ Error: z.string(), Cause: z.string() }) })
        .parse(parseJsonText(execution.output));
      expect(output.error.Error).toBe('States.ItemReaderFailed');
      expect(output.error.Cause).toMatch(cause);
      expect(provisioned).toBe(0);
    },
  );

  it('refuses to start a machine with an ItemReader when it has nothing to read S3 with', async () => {
    await expect(startHarness(['item-reader'])).rejects.toThrow(/ItemReader: pass readObject/);
  });

  it('runs statemachines/bulk-import.asl.json end to end with the settings of config/iam-bulk-import.yaml', async () => {
    const settings = loadBulkImportSettings({ concurrency: 3 });
    const batches = Array.from({ length: 7 }, (_, index) => ({ batchId: `b${index}` }));
    const store = objectStore({ [`${MANIFEST.bucket}/${MANIFEST.key}`]: JSON.stringify(batches) });
    const provisioned: string[] = [];
    const notified: string[] = [];
    const finalized: unknown[] = [];
    const handlers: Record<string, (event: unknown) => Promise<unknown>> = {
      prepareBatches: async () => ({ manifest: MANIFEST, batchCount: batches.length }),
      provisionBatch: async (event) => {
        provisioned.push(z.object({ batch: z.object({ batchId: z.string() }) }).parse(event).batch.batchId);
        return { created: 1 };
      },
      notifyBatch: async (event) => {
        notified.push(z.object({ batch: z.object({ batchId: z.string() }) }).parse(event).batch.batchId);
        return { notified: 1 };
      },
      finalizeImport: async (event) => {
        finalized.push(event);
        return { status: 'COMPLETED' };
      },
    };
    const engine = await startLocalStepFunctions({
      stateMachines: stateMachines({ bulkImport: settings, entitlements: loadEntitlementSettings() }),
      loadHandler: async (task) => {
        const handler = handlers[task.export];
        if (!handler) throw new Error(`no handler ${task.export}`);
        return handler;
      },
      region: 'us-east-1',
      accountId: '000000000000',
      retryIntervalMs: 0,
      readObject: store.readObject,
    });
    const { SFNClient } = await import('@aws-sdk/client-sfn');
    const sfn = new SFNClient({
      endpoint: engine.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    try {
      const input = { tenantId: 't1', taskId: 'imp_1', run: 1, sendWelcome: true, correlationId: 'c1' };
      const { executionArn } = await sfn.send(
        new StartExecutionCommand({
          stateMachineArn: engine.stateMachineArn('BulkImport'),
          input: JSON.stringify(input),
        }),
      );
      const execution = await waitForCompletion(sfn, executionArn);

      expect(execution.status).toBe('SUCCEEDED');
      expect(provisioned.sort()).toEqual(batches.map((batch) => batch.batchId));
      expect(notified.sort()).toEqual(batches.map((batch) => batch.batchId));
      const { sendWelcome: _notForFinalize, ...finalizeInput } = input;
      expect(finalized).toEqual([{ ...finalizeInput, outcome: 'FINISHED' }]);
      expect(parseJsonText(execution.output)).toMatchObject({ final: { status: 'COMPLETED' } });
    } finally {
      sfn.destroy();
      await engine.stop();
    }
  });
});

describe('bridgeItemReaders', () => {
  const map = {
    Type: 'Map',
    InputPath: '$.import',
    ItemReader: {
      Resource: 'arn:aws:states:::s3:getObject',
      ReaderConfig: { InputType: 'JSON', MaxItems: 10 },
      Parameters: { 'Bucket.$': '$.bucket', Key: 'manifest.json' },
    },
    ItemSelector: { 'item.$': '$$.Map.Item.Value' },
    MaxConcurrency: 4,
    ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
    Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Failed' }],
    Next: 'Done',
  };

  it('puts a hidden reader in front of the Map, in every transition, and points the Map at its items', () => {
    const { definition, readers } = bridgeItemReaders(
      {
        StartAt: 'Fan',
        States: {
          Start: {
            Type: 'Choice',
            Choices: [{ Variable: '$.go', BooleanEquals: true, Next: 'Fan' }],
            Default: 'Fan',
          },
          Fan: map,
          Retry: { Type: 'Pass', Next: 'Fan' },
          Done: { Type: 'Succeed' },
          Failed: { Type: 'Fail' },
        },
      },
      'x.asl.json',
    );

    expect(readers).toEqual([{ stateName: 'Fan.ItemReader', mapStateName: 'Fan', slot: 'm0' }]);
    expect(definition).toMatchObject({
      StartAt: 'Fan.ItemReader',
      States: {
        Start: { Choices: [{ Next: 'Fan.ItemReader' }], Default: 'Fan.ItemReader' },
        Retry: { Next: 'Fan.ItemReader' },
        'Fan.ItemReader': {
          Type: 'Task',
          Resource: ITEM_READER_RESOURCE,
          InputPath: '$.import',
          Parameters: { Reader: { 'Bucket.$': '$.bucket', Key: 'manifest.json' }, MaxItems: 10 },
          ResultPath: null,
          Catch: map.Catch,
          Next: 'Fan',
        },
        Fan: {
          Type: 'Map',
          InputPath: '$.import',
          ItemsPath: '$$.LocalItemReader.m0',
          ItemSelector: map.ItemSelector,
          MaxConcurrency: 4,
          Next: 'Done',
        },
      },
    });
    expect(
      z.object({ States: z.record(z.string(), z.object({}).loose()) }).parse(definition).States.Fan,
    ).not.toHaveProperty('ItemReader');
  });

  it('changes nothing in a definition without an ItemReader', () => {
    const definition = { StartAt: 'A', States: { A: { Type: 'Pass', End: true } } };
    expect(bridgeItemReaders(definition, 'x.asl.json')).toEqual({ definition, readers: [] });
  });

  it.each([
    [
      'another reader',
      { Resource: 'arn:aws:states:::s3:listObjectsV2', ReaderConfig: { InputType: 'JSON' } },
      /s3:getObject only/,
    ],
    [
      'CSV input',
      { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'CSV' } },
      /InputType JSON only/,
    ],
  ])('refuses %s', (_case, ItemReader, message) => {
    expect(() =>
      bridgeItemReaders({ StartAt: 'Fan', States: { Fan: { ...map, ItemReader } } }, 'x.asl.json'),
    ).toThrow(message);
  });

  it('refuses an ItemReader below the top level, where iterations would share one run context', () => {
    const { Next: _next, Catch: _catch, ...inner } = map;
    const outer = {
      Type: 'Map',
      ItemProcessor: { StartAt: 'Inner', States: { Inner: { ...inner, End: true } } },
      End: true,
    };
    expect(() => bridgeItemReaders({ StartAt: 'Outer', States: { Outer: outer } }, 'x.asl.json')).toThrow(
      /"Inner" inside "Outer".*top-level Map states only/,
    );
  });
});
