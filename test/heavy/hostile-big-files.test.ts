import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { artifactKeys, taskIdOf } from '../../functions/bulk-import/domain/artifact-keys';
import { BIG_FILES, type HostileFile, SMALL_FILES } from '../fixtures/hostile/manifest';
import {
  expectOutcome,
  expectUploadRefused,
  HOSTILE_DIR,
  uploadHostile,
} from '../integration/bulk-import/hostile-support';
import { getTask, type TaskView, waitForStatus } from '../integration/bulk-import/import-support';
import { type Principal, principal, uniqueTenant } from '../integration/support/api';

const REPO_ROOT = join(import.meta.dirname, '../..');
const MEASURE = join(import.meta.dirname, 'support/measure-validation.ts');
/** Lambda's memory the validation must fit in, with room to spare. */
const MEMORY_CEILING_MB = 512;

const measuredSchema = z.object({
  fileId: z.string(),
  baselineMb: z.number(),
  peakMb: z.number(),
  seconds: z.number(),
});
type Measured = z.infer<typeof measuredSchema>;

/**
 * Validates the stored upload again in a child process (test/heavy/support/measure-validation.ts)
 * and returns that process's peak RSS: the stack runs handlers inside the vitest global-setup
 * process, whose memory mixes every engine's and every test's.
 */
async function measureValidation(tenantId: string, fileId: string, entry: HostileFile, size: number) {
  const input = JSON.stringify({
    tenantId,
    objectKey: artifactKeys.upload(tenantId, fileId),
    fileName: entry.file,
    size,
  });
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', MEASURE, input], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...inject('env'), LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' },
    maxBuffer: 16 * 1024 * 1024,
  });
  const line = stdout.split('\n').find((printed) => printed.startsWith('MEASURED '));
  if (!line) throw new Error(`the measurement printed no result:\n${stdout.slice(-2000)}`);
  return measuredSchema.parse(JSON.parse(line.slice('MEASURED '.length)));
}

const measurements: { file: string; status: string; code: string; measured: Measured }[] = [];
let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'muster-hostile-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
  // The figures docs/reliability.md quotes.
  console.log(
    [
      '| file | outcome | peak MB (baseline) | seconds |',
      ...measurements.map(
        ({ file, status, code, measured }) =>
          `| ${file} | ${status} ${code} | ${measured.peakMb} (${measured.baselineMb}) | ${measured.seconds.toFixed(2)} |`,
      ),
    ].join('\n'),
  );
});

/** Uploads the file, checks the outcome through the real flow, then measures a second validation of it. */
async function runThroughFlowAndMeasure(entry: HostileFile, path: string): Promise<void> {
  const tenantId = uniqueTenant('hostile');
  const admin: Principal = await principal(tenantId, 'admin@acme.test', ['tenant_admin']);
  const { size } = await stat(path);
  if (entry.outcome.kind === 'refused-at-upload') {
    await expectUploadRefused(admin, entry.file, size, entry.outcome);
    return;
  }
  if (entry.undeclaredSize && size > 0) {
    await expectUploadRefused(admin, entry.file, size, { status: 422, code: 'FILE_TOO_LARGE' });
  }
  const { fileId, taskId } = await uploadHostile(admin, entry, path);
  await waitForStatus(admin, taskId, ['VALIDATED', 'VALIDATION_FAILED'], 300_000);
  // Measured before the commit: once the rows are imported, validating them again finds them taken.
  const measured = await measureValidation(tenantId, fileId, entry, size);
  const task = await expectMeasuredTask(admin, measured.fileId, entry);
  await expectOutcome(admin, tenantId, taskId, entry.outcome);
  measurements.push({
    file: entry.file,
    status: task.status,
    code: entry.outcome.kind === 'rejected' ? entry.outcome.code : 'rows imported',
    measured,
  });
  expect(measured.peakMb).toBeLessThan(MEMORY_CEILING_MB);
}

/** The measured run settled its own task (of the file id it made up) as the flow settled the first. */
async function expectMeasuredTask(admin: Principal, fileId: string, entry: HostileFile): Promise<TaskView> {
  const task = await getTask(admin, taskIdOf(fileId));
  if (entry.outcome.kind === 'rejected') {
    expect(task.status).toBe('VALIDATION_FAILED');
    expect(task.failureReason).toMatch(entry.outcome.message);
  } else if (entry.outcome.kind === 'validated') {
    expect(task.status).toBe('VALIDATED');
    expect(task.counts).toMatchObject(entry.outcome.counts);
  }
  return task;
}

describe('big hostile files (generated at test time)', () => {
  it.each(BIG_FILES.map((entry) => [entry.file, entry] as const))(
    '%s: the manifest outcome through the real flow, validated in under 512 MB',
    async (_, entry) => {
      const path = join(scratch, entry.file);
      await entry.generate?.(path);
      try {
        await runThroughFlowAndMeasure(entry, path);
      } finally {
        await rm(path, { force: true });
      }
    },
  );
});

describe('small hostile files, measured', () => {
  it.each(SMALL_FILES.map((entry) => [entry.file, entry] as const))(
    '%s: validated in under 512 MB',
    async (_, entry) => {
      await runThroughFlowAndMeasure(entry, join(HOSTILE_DIR, entry.file));
    },
  );
});
