import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import type { ImportIssue } from '../domain/issues';
import { writeCsv, writeIssuesCsv, writeIssuesXlsx } from '../parsing/report-files';

/** Runs a writer into a file and waits until the file is complete on disk. */
async function intoFile(path: string, write: (out: Writable) => Promise<void>): Promise<void> {
  const out = createWriteStream(path);
  const closed = new Promise<void>((resolve, reject) => {
    out.once('close', () => resolve());
    out.once('error', reject);
  });
  await write(out);
  if (!out.writableEnded) out.end();
  await closed;
}

/** A CSV export (formula-safe cells) of in-memory rows, to a file. */
export async function writeCsvFile(
  path: string,
  header: readonly string[],
  rows: readonly (readonly string[])[],
) {
  async function* each() {
    yield* rows;
  }
  await intoFile(path, (out) => writeCsv(each(), header, out));
}

/** The validation report, CSV and XLSX, each from its own pass over the issues. */
export async function writeIssueReports(
  readIssues: () => AsyncIterable<ImportIssue>,
  files: { csv: string; xlsx: string },
): Promise<void> {
  await intoFile(files.csv, (out) => writeIssuesCsv(readIssues(), out));
  await intoFile(files.xlsx, (out) => writeIssuesXlsx(readIssues(), out));
}
