import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { StateMachineDefinition } from '../../../config/state-machines';
import { type S3Engine, startS3 } from '../../../local/s3/engine';
import { type LocalStepFunctions, startLocalStepFunctions } from '../../../local/stepfunctions';

const REPORTS = 'reports';
const MACHINE: StateMachineDefinition<string> = {
  name: 'item-reader',
  definitionFile: 'test/fixtures/statemachines/item-reader.asl.json',
  tasks: {
    PrepareFunction: { entry: 'test/fixtures/handlers.ts', export: 'prepare' },
    ProvisionBatchFunction: { entry: 'test/fixtures/handlers.ts', export: 'provisionBatch' },
  },
  parameters: { BatchConcurrency: '4', BatchMaxAttempts: '1' },
};

/**
 * The ItemReader bridge against the local S3 engine itself: the manifest is written through the S3
 * API, and the Distributed Map reads it back the way the local stack wires it (`readObject`).
 */
describe('the Step Functions ItemReader bridge over the local S3 engine', () => {
  let directory = '';
  let s3Engine: S3Engine;
  let sfnEngine: LocalStepFunctions;
  let s3: S3Client;
  let sfn: SFNClient;
  const provisioned: string[] = [];

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'muster-item-reader-'));
    s3Engine = await startS3({ directory, buckets: [REPORTS] });
    sfnEngine = await startLocalStepFunctions({
      stateMachines: [MACHINE],
      loadHandler: async (task) => {
        if (task.export === 'prepare') {
          return async (event: unknown) => ({
            manifest: {
              bucket: REPORTS,
              key: z.object({ manifestKey: z.string() }).parse(event).manifestKey,
            },
          });
        }
        return async (event: unknown) => {
          const { batch } = z.object({ batch: z.object({ batchId: z.string() }) }).parse(event);
          provisioned.push(batch.batchId);
          return { batchId: batch.batchId };
        };
      },
      region: 'us-east-1',
      accountId: '000000000000',
      retryIntervalMs: 0,
      readObject: (bucket, key) => s3Engine.readObject(bucket, key),
    });
    s3 = new S3Client({
      endpoint: s3Engine.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
    });
    sfn = new SFNClient({
      endpoint: sfnEngine.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  });
  afterAll(async () => {
    s3.destroy();
    sfn.destroy();
    await sfnEngine.stop();
    await s3Engine.stop();
    await rm(directory, { recursive: true, force: true });
  });

  it('processes every batch descriptor of a 1,000-batch manifest exactly once', async () => {
    const batches = Array.from({ length: 1_000 }, (_, index) => ({
      batchId: `b${index}`,
      firstRow: index * 100 + 2,
    }));
    const manifestKey = 'tenants/t1/imports/imp 1/manifest.json';
    await s3.send(new PutObjectCommand({ Bucket: REPORTS, Key: manifestKey, Body: JSON.stringify(batches) }));

    const { executionArn } = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: sfnEngine.stateMachineArn('item-reader'),
        input: JSON.stringify({ importId: 'imp_1', manifestKey }),
      }),
    );
    await expect
      .poll(async () => (await sfn.send(new DescribeExecutionCommand({ executionArn }))).status, {
        timeout: 20_000,
      })
      .toBe('SUCCEEDED');

    expect(provisioned).toHaveLength(batches.length);
    expect(new Set(provisioned).size).toBe(batches.length);
    const { output } = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    const result = z
      .object({ provisioned: z.array(z.object({ batchId: z.string() })) })
      .parse(JSON.parse(output ?? ''));
    expect(result.provisioned.map((item) => item.batchId)).toEqual(batches.map((batch) => batch.batchId));
  });
});
