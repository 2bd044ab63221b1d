import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { ObjectStore } from '../../shared/aws/object-store';
import { logger } from '../../shared/observability';
import type { ImportTaskRepository } from '../adapters/import-task-repository';
import { parseIssueLine } from '../adapters/issue-codec';
import { artifactKeys, parseUploadKey, requireTenantKey } from '../domain/artifact-keys';
import type { ValidationInput, ValidationSink } from '../domain/file-validator';
import { type ImportIssue, issue } from '../domain/issues';
import type { TenantDirectoryLookup, ValidationSettings } from '../domain/validation-ports';
import type { SheetRecord } from '../parsing/sheet-record';

export interface ValidationRun {
  readonly total: number;
  readonly valid: number;
  readonly invalid: number;
  readonly rejected: boolean;
}

export interface ValidateUploadDeps {
  readonly tasks: Pick<ImportTaskRepository, 'getUpload' | 'ensureTask' | 'transition'>;
  readonly uploads: Pick<ObjectStore, 'read'>;
  readonly reports: Pick<ObjectStore, 'putFile'>;
  readonly lookupFor: (tenantId: string) => TenantDirectoryLookup;
  readonly settingsFor: (tenantId: string) => Promise<ValidationSettings>;
  readonly openRecords: (body: Readable, fileName: string) => AsyncIterable<SheetRecord>;
  readonly validate: (input: ValidationInput, sink: ValidationSink) => Promise<ValidationRun>;
  readonly writeReports: (
    readIssues: () => AsyncIterable<ImportIssue>,
    files: { csv: string; xlsx: string },
  ) => Promise<void>;
  readonly maxFileBytes: number;
  readonly clock: () => Date;
}

/**
 * Validates an uploaded file when it lands (S3 notification): streams it through the reader and
 * the validator, keeps the valid rows and every issue as JSON Lines, writes the CSV and XLSX
 * report, and settles the task as VALIDATED or VALIDATION_FAILED. A file over the size limit is
 * never opened. A repeated notification for a task already validated changes nothing.
 */
export async function validateUpload(
  deps: ValidateUploadDeps,
  object: { key: string; size: number },
): Promise<'validated' | 'ignored' | 'already-validated'> {
  const ids = parseUploadKey(object.key);
  const upload = ids ? await deps.tasks.getUpload(ids.tenantId, ids.fileId) : undefined;
  if (!upload) {
    logger.warn('Ignoring an object that is no upload of ours', { key: object.key });
    return 'ignored';
  }
  const task = await deps.tasks.ensureTask(upload, deps.clock().toISOString());
  logger.appendKeys({ task_id: task.taskId, tenant_id: task.tenantId });
  if (task.status !== 'VALIDATING') return 'already-validated';

  const scratch = await mkdtemp(join(tmpdir(), 'muster-validation-'));
  try {
    const files = {
      validRows: join(scratch, 'valid-rows.jsonl'),
      issues: join(scratch, 'issues.jsonl'),
      csv: join(scratch, 'report.csv'),
      xlsx: join(scratch, 'report.xlsx'),
    };
    const issuesOut = createWriteStream(files.issues);
    let firstFileProblem: string | undefined;
    const sink = {
      issue: (found: ImportIssue) => {
        if (found.row === null && found.severity === 'error') firstFileProblem ??= found.message;
        return writeLine(issuesOut, JSON.stringify(found));
      },
    };
    let run: ValidationRun;
    if (object.size > deps.maxFileBytes) {
      await sink.issue(
        issue({
          row: null,
          column: null,
          code: 'FILE_TOO_LARGE',
          message: `The file is ${object.size} bytes; the limit is ${deps.maxFileBytes} bytes. It was not read.`,
          suggestion: 'Split the file into several smaller ones and upload each.',
        }),
      );
      await writeFile(files.validRows, '');
      run = { total: 0, valid: 0, invalid: 0, rejected: true };
    } else {
      const [settings, body] = await Promise.all([
        deps.settingsFor(task.tenantId),
        deps.uploads.read(requireTenantKey(task.tenantId, upload.objectKey)),
      ]);
      run = await deps.validate(
        {
          records: deps.openRecords(body, upload.fileName),
          settings,
          directory: deps.lookupFor(task.tenantId),
          scratchDir: scratch,
          validRowsPath: files.validRows,
        },
        sink,
      );
    }
    await finish(issuesOut);
    await deps.writeReports(() => readIssues(files.issues), { csv: files.csv, xlsx: files.xlsx });

    const keys = {
      validRows: artifactKeys.validRows(task.tenantId, task.taskId),
      issues: artifactKeys.issues(task.tenantId, task.taskId),
      reportCsv: artifactKeys.reportCsv(task.tenantId, task.taskId),
      reportXlsx: artifactKeys.reportXlsx(task.tenantId, task.taskId),
    };
    await Promise.all([
      deps.reports.putFile(keys.validRows, files.validRows, 'application/x-ndjson'),
      deps.reports.putFile(keys.issues, files.issues, 'application/x-ndjson'),
      deps.reports.putFile(keys.reportCsv, files.csv, 'text/csv; charset=utf-8'),
      deps.reports.putFile(
        keys.reportXlsx,
        files.xlsx,
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      ),
    ]);
    const failed = run.rejected || run.valid === 0;
    await deps.tasks.transition(
      task.tenantId,
      task.taskId,
      ['VALIDATING'],
      failed ? 'VALIDATION_FAILED' : 'VALIDATED',
      {
        counts: { ...task.counts, total: run.total, valid: run.valid, invalid: run.invalid },
        artifacts: keys,
        ...(failed
          ? { failureReason: firstFileProblem ?? 'No row is valid: see the report for what to fix in each.' }
          : {}),
      },
      deps.clock().toISOString(),
    );
    return 'validated';
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Writes one line, waiting when the stream asks to: memory stays flat however large the file. */
async function writeLine(stream: WriteStream, line: string): Promise<void> {
  if (!stream.write(`${line}\n`)) {
    await new Promise<void>((resolve) => stream.once('drain', () => resolve()));
  }
}

function finish(stream: WriteStream): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.once('error', reject);
    stream.end(() => resolve());
  });
}

async function* readIssues(path: string): AsyncIterable<ImportIssue> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) if (line) yield parseIssueLine(line);
}
