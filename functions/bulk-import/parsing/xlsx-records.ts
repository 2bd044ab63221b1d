import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32 } from 'node:zlib';
import ExcelJS from 'exceljs';
import { byteStream } from './byte-chunks';
import { numberFormatter, serialFromDate } from './number-format';
import { checkColumnCount, FileRejectedError, type SheetRecord } from './sheet-record';
import { type InflationLimits, locateUsersSheet, type UsersSheet } from './workbook-package';
import { endOfArchive, storedEntryHeader, ZipArchive, type ZipEntry } from './zip-archive';

export type XlsxReadOptions = Partial<InflationLimits>;

/** Ten times the 50 MB upload cap: a real 100,000-row sheet inflates to well under a tenth of it. */
export const DEFAULT_MAX_INFLATED_BYTES = 500 * 1024 * 1024;
/** Shared strings stay in memory while the sheet streams; 100,000 rows of users need a few tens of MB. */
export const DEFAULT_MAX_SHARED_STRINGS_BYTES = 100 * 1024 * 1024;

// What exceljs reads besides the sheet, reduced to what matters: an empty relationship list and
// the date system. Handing it these before the styles, shared strings and sheet (in that order)
// lets it parse the sheet as it streams, with number formats known, whatever order the upload's
// zip had (Excel writes the shared strings and styles after the sheets, which makes exceljs copy
// every sheet to a temporary file first).
const RELATIONSHIPS_XML =
  '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>';
const workbookXml = (date1904: boolean) =>
  `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><workbookPr date1904="${date1904 ? 1 : 0}"/></workbook>`;
const EMPTY_SHARED_STRINGS_XML =
  '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"/>';

/**
 * The records of the Users sheet of an .xlsx upload (or of its first visible worksheet), through
 * exceljs's streaming reader. Cells read as Excel shows them: formulas by their cached result
 * (never evaluated), numbers and dates through the cell's number format (see number-format.ts),
 * rich text flattened, hyperlinks by their text, booleans as TRUE/FALSE.
 *
 * The upload is first copied to a temporary directory (Lambda's /tmp): the zip's central
 * directory, which lists the parts and their sizes, is at its end, and the parts exceljs needs
 * before the sheet may come after it. Only the compressed file lands on disk; the sheet streams
 * from it inflated, checked against the size budget, into exceljs. The directory is removed when
 * the iteration ends, however it ends.
 *
 * Rejects macro-enabled (MACRO_WORKBOOK), binary and non-workbook zips (UNSUPPORTED_FILE_TYPE),
 * damaged files (CORRUPT_FILE) and files inflating past the limits (FILE_TOO_LARGE).
 */
export async function* readXlsxRecords(
  body: Readable,
  options: XlsxReadOptions = {},
): AsyncGenerator<SheetRecord> {
  const limits: InflationLimits = {
    maxInflatedBytes: options.maxInflatedBytes ?? DEFAULT_MAX_INFLATED_BYTES,
    maxSharedStringsBytes: options.maxSharedStringsBytes ?? DEFAULT_MAX_SHARED_STRINGS_BYTES,
  };
  const directory = await mkdtemp(join(tmpdir(), 'muster-xlsx-'));
  try {
    const path = join(directory, 'upload.xlsx');
    await pipeline(body, createWriteStream(path));
    const archive = await ZipArchive.open(path);
    yield* readSheet(archive, await locateUsersSheet(archive, limits));
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

async function* readSheet(archive: ZipArchive, sheet: UsersSheet): AsyncGenerator<SheetRecord> {
  settleCellAddressAllocation();
  const input = byteStream(sheetPackage(archive, sheet));
  // exceljs pipes its input into the unzipper without forwarding errors, so a failure of ours
  // (a part failing its checks) would leave it waiting forever: every step races it instead.
  const inputFailure = new StreamFailure(input);
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  const format = numberFormatter(sheet.date1904);
  const text = (value: ExcelJS.CellValue, numFmt: string | undefined): string =>
    cellText(value, numFmt, format, sheet.date1904);
  try {
    // The package holds one worksheet; iterating to the end also reads the archive's end.
    for await (const worksheet of inputFailure.raced(reader)) {
      for await (const row of inputFailure.raced(worksheet)) {
        const cells = rowTexts(row, text);
        if (cells.length > 0) yield { row: row.number, cells };
      }
    }
  } catch (error) {
    if (error instanceof FileRejectedError) throw error;
    const rejection = new FileRejectedError(
      'CORRUPT_FILE',
      `The file is damaged: the sheet "${sheet.name}" cannot be read.`,
      'The file is damaged; open it in Excel and save it again as .xlsx (or as CSV UTF-8), then upload the new file.',
    );
    rejection.cause = error;
    throw rejection;
  } finally {
    input.destroy();
  }
}

/**
 * exceljs decodes every cell's reference ("B7") into a new small object, and keeps the ones of the
 * sheet's top-left 100 × 100 cells in a cache for good. The first cells V8 sees decoded are all of
 * those, every one still alive at the next minor GC, so V8 concludes objects from that spot live
 * long and from then on allocates them straight in the old generation (allocation-site
 * pretenuring), a decision it never revisits. Each later cell's address, some 100 bytes with the
 * strings it holds, then lands there as garbage that only the rare full GC reclaims: 1.3 million
 * cells for 100,000 users of 13 columns, over 100 MB of heap when the full GC comes (peak RSS
 * 293 MB → 203 MB without it). Decoding a batch of addresses outside the cached square first,
 * dropped at once, shows V8 that they die young, and that decision is final. It costs a few
 * milliseconds, and is repeated on every read in case V8 has since dropped the decision along with
 * exceljs's compiled code. More than the cache holds, so that the cache filling in the same
 * interval cannot tip the balance.
 */
function settleCellAddressAllocation(): void {
  const scratch = new ExcelJS.Workbook().addWorksheet();
  for (let row = 101; row <= 20_100; row++) scratch.findCell(row, 1);
}

/**
 * A stream's first error, raced against each step of a reader fed by it. Unlike racing every step
 * against one long-lived promise (whose reactions, one per step, would keep every row ever read
 * reachable), each step's wait is released as soon as the step settles.
 */
class StreamFailure {
  private error: { readonly cause: unknown } | undefined;
  private readonly waiting = new Set<(cause: unknown) => void>();

  constructor(stream: Readable) {
    stream.once('error', (cause: unknown) => {
      this.error = { cause };
      for (const reject of this.waiting) reject(cause);
      this.waiting.clear();
    });
  }

  /** The items, unless the stream fails first; a pending step is then abandoned, not awaited. */
  async *raced<T>(items: AsyncIterable<T>): AsyncGenerator<T> {
    const iterator = items[Symbol.asyncIterator]();
    for (;;) {
      const next = await this.race(iterator.next());
      if (next.done) return;
      yield next.value;
    }
  }

  private race<T>(step: Promise<T>): Promise<T> {
    if (this.error) return Promise.reject(this.error.cause);
    return new Promise<T>((resolve, reject) => {
      this.waiting.add(reject);
      step.then(
        (value) => {
          this.waiting.delete(reject);
          resolve(value);
        },
        (cause: unknown) => {
          this.waiting.delete(reject);
          reject(cause);
        },
      );
    });
  }
}

/** The archive exceljs reads: the parts it needs, in the order it needs them, inflated and checked. */
async function* sheetPackage(archive: ZipArchive, sheet: UsersSheet): AsyncGenerator<Buffer> {
  yield* storedPart('xl/_rels/workbook.xml.rels', RELATIONSHIPS_XML);
  yield* storedPart('xl/workbook.xml', workbookXml(sheet.date1904));
  if (sheet.styles) yield* inflatedPart(archive, 'xl/styles.xml', sheet.styles);
  if (sheet.sharedStrings) yield* inflatedPart(archive, 'xl/sharedStrings.xml', sheet.sharedStrings);
  else yield* storedPart('xl/sharedStrings.xml', EMPTY_SHARED_STRINGS_XML);
  yield* inflatedPart(archive, 'xl/worksheets/sheet1.xml', sheet.worksheet);
  yield endOfArchive();
}

function* storedPart(name: string, xml: string): Generator<Buffer> {
  const content = Buffer.from(xml, 'utf8');
  yield storedEntryHeader(name, content.length, crc32(content));
  yield content;
}

async function* inflatedPart(archive: ZipArchive, name: string, entry: ZipEntry): AsyncGenerator<Buffer> {
  yield storedEntryHeader(name, entry.uncompressedSize, entry.crc32);
  yield* wholeCharacters(archive.inflate(entry));
}

/**
 * exceljs decodes each chunk of XML on its own (exceljs/exceljs#2063, #2316): a UTF-8 character
 * split between two chunks becomes two U+FFFD (a non-ASCII name every few thousand rows), and a
 * U+FEFF (zero-width no-break space) that starts a chunk is dropped as if it were a byte order
 * mark. Every chunk is cut just before an ASCII byte, so each starts with one: no character is
 * split and none is taken for a BOM. XML has ASCII every few characters (its markup), so what is
 * carried to the next chunk stays small.
 */
async function* wholeCharacters(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let carried: Buffer | undefined;
  for await (const chunk of chunks) {
    const bytes = carried ? Buffer.concat([carried, chunk]) : chunk;
    const cut = lastAsciiByte(bytes);
    carried = cut < bytes.length ? Buffer.from(bytes.subarray(Math.max(cut, 0))) : undefined;
    if (cut > 0) yield bytes.subarray(0, cut);
  }
  if (carried) yield carried;
}

/** The position of the last ASCII byte, or -1 when there is none. */
function lastAsciiByte(bytes: Buffer): number {
  for (let at = bytes.length - 1; at >= 0; at--) if ((bytes[at] ?? 0) < 0x80) return at;
  return -1;
}

/**
 * A row's cells as text, up to its last non-empty one. Only the cells the row holds are visited:
 * exceljs keeps them in a sparse array, so a lone value in column XFD costs one visit, not 16,384.
 */
function rowTexts(row: ExcelJS.Row, text: (value: ExcelJS.CellValue, numFmt: string | undefined) => string) {
  const values: [column: number, value: string][] = [];
  row.eachCell((cell, column) => {
    const value = text(cell.value, cell.numFmt);
    if (value !== '') values.push([column, value]);
  });
  const lastColumn = values.at(-1)?.[0] ?? 0;
  checkColumnCount(row.number, lastColumn);
  const cells = new Array<string>(lastColumn).fill('');
  for (const [column, value] of values) cells[column - 1] = value;
  return cells;
}

function cellText(
  value: ExcelJS.CellValue,
  numFmt: string | undefined,
  format: (value: number, formatCode?: string) => string,
  date1904: boolean,
): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return format(value, numFmt);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return format(serialFromDate(value, date1904), numFmt);
  if ('richText' in value) return value.richText.map((run) => run.text ?? '').join('');
  if ('error' in value) return value.error;
  if ('hyperlink' in value) return value.text;
  // A formula: its cached result, formatted like any value (a formula's date stays a number).
  return cellText(value.result, numFmt, format, date1904);
}
