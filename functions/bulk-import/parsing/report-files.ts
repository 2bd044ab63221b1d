import { once } from 'node:events';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import ExcelJS from 'exceljs';
import { neutraliseFormula } from '../../shared/spreadsheet-cells';
import type { ImportIssue } from '../domain/issues';

export const REPORT_COLUMNS = ['row', 'column', 'severity', 'code', 'message', 'suggestion'] as const;

/** Excel reads a UTF-8 CSV as the machine's legacy code page unless it starts with a BOM. */
const UTF8_BOM = '\uFEFF';
/** Lines gathered into one write: a write per line would cost more than the formatting. */
const CSV_BATCH_CHARS = 64 * 1024;
/** Rows written to the XLSX between chances for the zip writer to catch up. */
const XLSX_ROWS_PER_TURN = 1_000;

/** RFC 4180: quoted when it holds a quote, comma or line break, with quotes doubled. */
function csvField(value: string): string {
  const safe = neutraliseFormula(value);
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** A small CSV held whole in memory, written by the same rules as {@link writeCsv}. */
export function csvDocument(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return `${UTF8_BOM}${[header, ...rows].map((row) => `${row.map(csvField).join(',')}\r\n`).join('')}`;
}

/**
 * Writes a CSV (UTF-8 with BOM, CRLF line ends, every field neutralised and quoted as needed) to
 * `out`, streaming and honouring backpressure; `out` is ended when the rows are.
 */
export async function writeCsv(
  rows: AsyncIterable<readonly string[]>,
  header: readonly string[],
  out: Writable,
): Promise<void> {
  async function* lines(): AsyncGenerator<string> {
    let batch = `${UTF8_BOM}${header.map(csvField).join(',')}\r\n`;
    for await (const row of rows) {
      batch += `${row.map(csvField).join(',')}\r\n`;
      if (batch.length >= CSV_BATCH_CHARS) {
        yield batch;
        batch = '';
      }
    }
    yield batch;
  }
  await pipeline(Readable.from(lines()), out);
}

/** The validation report as CSV, one line per issue in the order given (callers sort by row). */
export async function writeIssuesCsv(issues: AsyncIterable<ImportIssue>, out: Writable): Promise<void> {
  async function* rows(): AsyncGenerator<readonly string[]> {
    for await (const issue of issues) yield reportCells(issue);
  }
  await writeCsv(rows(), REPORT_COLUMNS, out);
}

/**
 * The validation report as an .xlsx workbook with one sheet, streamed with exceljs's
 * WorkbookWriter: a header row (frozen, with filters), then one row per issue in the order given.
 * Text cells are neutralised like the CSV's, so the report stays inert if saved as CSV again.
 */
export async function writeIssuesXlsx(issues: AsyncIterable<ImportIssue>, out: Writable): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: true,
    useSharedStrings: false,
  });
  const sheet = workbook.addWorksheet('Validation report', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = [
    { header: 'row', key: 'row', width: 8 },
    { header: 'column', key: 'column', width: 18 },
    { header: 'severity', key: 'severity', width: 10 },
    { header: 'code', key: 'code', width: 26 },
    { header: 'message', key: 'message', width: 70 },
    { header: 'suggestion', key: 'suggestion', width: 70 },
  ];
  sheet.autoFilter = { from: 'A1', to: 'F1' };
  sheet.getRow(1).font = { bold: true };
  sheet.getRow(1).commit();
  let written = 0;
  for await (const issue of issues) {
    const [, ...text] = reportCells(issue);
    sheet.addRow([issue.row, ...text.map(neutraliseFormula)]).commit();
    if (++written % XLSX_ROWS_PER_TURN === 0) {
      // Committed rows queue in memory until the zip writer compresses them and `out` takes them.
      await nextTurn();
      while (out.writableNeedDrain) await once(out, 'drain');
    }
  }
  sheet.commit();
  await workbook.commit();
}

function reportCells(issue: ImportIssue): string[] {
  return [
    issue.row === null ? '' : String(issue.row),
    issue.column ?? '',
    issue.severity,
    issue.code,
    issue.message,
    issue.suggestion,
  ];
}
