import type { ObjectStore } from '../../shared/aws/object-store';
import { parseRowLines } from '../adapters/import-row-codec';
import type { ImportTaskRepository } from '../adapters/import-task-repository';
import { artifactKeys } from '../domain/artifact-keys';
import type { ImportRow } from '../domain/import-row';
import { latestOutcomes } from '../domain/row-outcome';
import type { BatchRef } from './provision-batch';
import { findTask } from './task-view';

export interface PrepareBatchesDeps {
  readonly tasks: Pick<ImportTaskRepository, 'getTask' | 'listBatchOutcomes'>;
  readonly reports: Pick<ObjectStore, 'readText' | 'putText' | 'bucket'>;
  readonly batchSize: number;
}

/** Batch files written at once: enough to keep S3 busy, few enough for one Lambda's sockets. */
const PARALLEL_WRITES = 16;

/**
 * Splits a run's rows into batch files and writes the manifest the Distributed Map reads: one
 * small item per batch, so neither the 256 KB state payload nor the history limit is ever near.
 * Run 1 takes every valid row; a retry run only the rows whose latest outcome is a failure (or
 * that never got one).
 */
export async function prepareBatches(
  deps: PrepareBatchesDeps,
  input: { tenantId: string; taskId: string; run: number },
): Promise<{ manifest: { bucket: string; key: string }; batchCount: number }> {
  const task = await findTask(deps, input.tenantId, input.taskId);
  const validRowsKey = task.artifacts.validRows ?? artifactKeys.validRows(input.tenantId, input.taskId);
  let rows: ImportRow[] = parseRowLines(await deps.reports.readText(validRowsKey));
  if (input.run > 1) {
    const latest = latestOutcomes(await deps.tasks.listBatchOutcomes(input.tenantId, input.taskId));
    rows = rows.filter((row) => latest.get(row.row)?.status !== 'CREATED');
  }
  const batches: BatchRef[] = [];
  for (let start = 0; start < rows.length; start += deps.batchSize) {
    const number = batches.length + 1;
    batches.push({ number, key: artifactKeys.batch(input.tenantId, input.taskId, input.run, number) });
  }
  for (let start = 0; start < batches.length; start += PARALLEL_WRITES) {
    await Promise.all(
      batches.slice(start, start + PARALLEL_WRITES).map((batch) => {
        const first = (batch.number - 1) * deps.batchSize;
        const body = JSON.stringify({ rows: rows.slice(first, first + deps.batchSize) });
        return deps.reports.putText(batch.key, body, 'application/json');
      }),
    );
  }
  const manifestKey = artifactKeys.manifest(input.tenantId, input.taskId, input.run);
  await deps.reports.putText(manifestKey, JSON.stringify(batches), 'application/json');
  return { manifest: { bucket: deps.reports.bucket, key: manifestKey }, batchCount: batches.length };
}
