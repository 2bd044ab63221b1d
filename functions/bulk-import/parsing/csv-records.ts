import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CsvError, parse } from 'csv-parse';
import { columnLetter } from '../domain/header-mapping';
import { checkColumnCount, FileRejectedError, type SheetRecord } from './sheet-record';
import { SAVE_AS_CSV_UTF8, Utf8Text } from './text-encoding';

/** Delimiters the header line is checked for, preferred in this order when counts tie. */
const DELIMITERS = [',', ';', '\t'] as const;
/** How far to look for the end of the header line before settling for what was seen. */
const SNIFF_BYTES = 64 * 1024;
/**
 * No user record comes near this; a row that does is a quote that never closes swallowing the
 * rest of the file, and stopping here says so early instead of buffering the whole upload.
 */
const MAX_ROW_BYTES = 1024 * 1024;

const QUOTE = 0x22;
const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * The records of a CSV upload (RFC 4180), numbered as a spreadsheet numbers its rows: by record,
 * so a quoted value spanning lines is one row. See `SheetRecord` for what a record holds.
 *
 * - Encodings: UTF-8 with or without BOM, UTF-16 LE/BE with BOM; others → UNSUPPORTED_ENCODING,
 *   naming the first row with bytes that are not UTF-8.
 * - Delimiter: `,`, `;` or tab, whichever the header line has most of outside quotes.
 * - Line breaks: CRLF, LF and CR, mixed freely.
 * - Ragged rows are yielded as they are; the validator judges their cells.
 * - A stray quote inside a value (`5" disk`, `"ab"c`) is kept as text, as Excel does, so the
 *   value reaches the validator instead of failing the file. A quote that opens a value and
 *   never closes would swallow every row after it: that stops the reading with MALFORMED_ROW
 *   on the row where it opened, since no row after it can be trusted.
 */
export async function* readCsvRecords(body: Readable): AsyncGenerator<SheetRecord> {
  const text = new Utf8Text(body);
  const { delimiter, chunks } = await sniffDelimiter(text.chunks());
  const parser = parse({
    delimiter,
    record_delimiter: ['\r\n', '\n', '\r'],
    relax_column_count: true,
    relax_quotes: true,
    max_record_size: MAX_ROW_BYTES,
  });
  // Failures on either side reach the loop below through the parser, which pipeline destroys.
  pipeline(chunks, parser).catch(() => undefined);

  let row = 0;
  try {
    for await (const record of parser) {
      row++;
      const cells = trimTrailingEmpty(fieldsOf(record));
      if (cells.length === 0) continue;
      checkColumnCount(row, cells.length);
      if (text.sawInvalidUtf8 && cells.some((cell) => cell.includes('\uFFFD'))) throw notUtf8(row);
      yield { row, cells };
    }
  } catch (error) {
    throw error instanceof CsvError ? malformedRow(error) : error;
  } finally {
    // Stopping early must release the upload (an S3 socket) now, not when its next chunk arrives.
    parser.destroy();
    body.destroy();
  }
  if (text.sawInvalidUtf8) throw notUtf8(null);
}

async function sniffDelimiter(
  source: AsyncGenerator<Buffer>,
): Promise<{ delimiter: string; chunks: AsyncGenerator<Buffer> }> {
  const counts = new Map<number, number>(DELIMITERS.map((delimiter) => [delimiter.charCodeAt(0), 0]));
  const taken: Buffer[] = [];
  let seen = 0;
  let quoted = false;
  let lineEnded = false;
  while (!lineEnded && seen < SNIFF_BYTES) {
    const next = await source.next();
    if (next.done) break;
    const chunk = next.value;
    taken.push(chunk);
    seen += chunk.length;
    for (const byte of chunk) {
      if (byte === QUOTE) quoted = !quoted;
      else if (quoted) continue;
      else if (byte === LINE_FEED || byte === CARRIAGE_RETURN) {
        lineEnded = true;
        break;
      } else {
        const count = counts.get(byte);
        if (count !== undefined) counts.set(byte, count + 1);
      }
    }
  }
  let delimiter: string = DELIMITERS[0];
  let most = 0;
  for (const candidate of DELIMITERS) {
    const count = counts.get(candidate.charCodeAt(0)) ?? 0;
    if (count > most) {
      delimiter = candidate;
      most = count;
    }
  }
  return { delimiter, chunks: resumed(taken, source) };
}

async function* resumed(taken: readonly Buffer[], rest: AsyncGenerator<Buffer>): AsyncGenerator<Buffer> {
  yield* taken;
  yield* rest;
}

/** csv-parse yields arrays of strings without `columns` or `cast`; this keeps TypeScript honest. */
function fieldsOf(record: unknown): string[] {
  if (Array.isArray(record) && record.every((field) => typeof field === 'string')) return record;
  throw new TypeError('csv-parse yielded a record that is not a list of strings');
}

function trimTrailingEmpty(cells: string[]): string[] {
  let end = cells.length;
  while (end > 0 && cells[end - 1] === '') end--;
  cells.length = end;
  return cells;
}

function malformedRow(error: CsvError): Error {
  // `records` counts the records emitted before the failing one, empty ones included.
  const row = typeof error.records === 'number' ? error.records + 1 : null;
  const where = row === null ? 'A row' : `Row ${row}`;
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return new FileRejectedError(
        'MALFORMED_ROW',
        `${where} opens a quoted value that is never closed, so it and every row after it read as one value.`,
        `Close the quote in ${where.toLowerCase()}; a quote inside a value is written as two quotes ("").`,
        row,
      );
    case 'CSV_MAX_RECORD_SIZE': {
      // The parser does not say whether it was inside quotes, so the message names both causes.
      const column = typeof error.column === 'number' ? ` in column ${columnLetter(error.column)}` : '';
      return new FileRejectedError(
        'MALFORMED_ROW',
        `${where} is longer than 1 MB, far more than any user's details: either a value${column} is that long, or a quote there opens a value that is never closed, so the rows after it read as one value.`,
        `Shorten the value${column} of ${where.toLowerCase()}, or close its quote (a quote inside a value is written as two quotes ""), then upload the file again.`,
        row,
      );
    }
    default:
      return error;
  }
}

function notUtf8(row: number | null): FileRejectedError {
  return new FileRejectedError(
    'UNSUPPORTED_ENCODING',
    `${row === null ? 'The file' : `Row ${row}`} contains characters that are not UTF-8, so the file was saved in another encoding (for example "CSV (Comma delimited)", which uses the computer's regional encoding).`,
    SAVE_AS_CSV_UTF8,
    row,
  );
}
