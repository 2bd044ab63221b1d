import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { ulid } from 'ulid';
import { z } from 'zod';
import { ImportTaskRepository } from '../../../functions/bulk-import/adapters/import-task-repository';
import { artifactKeys, taskIdOf } from '../../../functions/bulk-import/domain/artifact-keys';
import { createDocumentClient } from '../../../functions/shared/aws/dynamodb';
import { lambdaContext } from '../../../local/lambda/context';
import { s3NotificationEvent } from '../../../local/s3/notifications';

/**
 * Runs in a process of its own (`node --import tsx`, the handler environment of the local stack):
 * validates an upload already stored in s3rver with the ImportUploadReceived handler, as a
 * Lambda invocation would, and prints the peak resident memory of this process. The upload gets a
 * second upload record of its own (a new file id whose object key is the stored upload's), so this
 * validation has a task of its own to settle while the stack's in-process validation of the same
 * bytes settles the first.
 *
 * Prints one line: `MEASURED {"fileId", "baselineMb", "peakMb", "seconds"}`: the peak RSS after
 * loading the handler and before the invocation, and the peak RSS at its end.
 */
const input = z
  .object({
    tenantId: z.string(),
    objectKey: z.string(),
    fileName: z.string(),
    size: z.number().int().nonnegative(),
  })
  .parse(JSON.parse(process.argv[2] ?? ''));

const { handler } = await import('../../../functions/bulk-import/handlers/upload-received');
const tasks = new ImportTaskRepository(createDocumentClient(), z.string().parse(process.env.TABLE_NAME));
const fileId = `f_${ulid().toLowerCase()}`;
await tasks.putUpload({
  tenantId: input.tenantId,
  fileId,
  taskId: taskIdOf(fileId),
  fileName: input.fileName,
  objectKey: input.objectKey,
  createdBy: 'memory-measurement',
  createdAt: new Date().toISOString(),
});
const baselineMb = peakResidentMb();
const started = performance.now();
await handler(
  s3NotificationEvent(
    {
      bucket: z.string().parse(process.env.UPLOADS_BUCKET),
      key: artifactKeys.upload(input.tenantId, fileId),
      size: input.size,
      eTag: 'measured',
      eventName: 'ObjectCreated:Post',
      eventTime: new Date().toISOString(),
      sequencer: '0',
      sourceIPAddress: '127.0.0.1',
    },
    { configurationId: 'ImportUploadReceived', region: z.string().parse(process.env.AWS_REGION) },
  ),
  lambdaContext({
    functionName: 'bulk-import-upload-received',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:bulk-import-upload-received',
    timeoutMs: 900_000,
  }),
);
const seconds = (performance.now() - started) / 1000;
console.log(`MEASURED ${JSON.stringify({ fileId, baselineMb, peakMb: peakResidentMb(), seconds })}`);

/**
 * This process's peak RSS, from Linux's VmHWM: the high-water mark of the process's own memory
 * map, which exec replaced. getrusage's maxRSS (process.resourceUsage) is no good here: Linux
 * carries it over exec from the forked copy of the parent, so it starts at the vitest worker's
 * size (355 MB right after that worker read a 60 MB file to upload it).
 */
function peakResidentMb(): number {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kilobytes = /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1];
  if (kilobytes === undefined) throw new Error('no VmHWM in /proc/self/status: the measurement needs Linux');
  return Math.round(Number(kilobytes) / 1024);
}
