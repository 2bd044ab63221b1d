import { extname } from 'node:path';
import type { Readable } from 'node:stream';
import { asBuffer, byteStream, replay } from './byte-chunks';
import { FileRejectedError } from './sheet-record';

export type SheetFormat = 'csv' | 'xlsx';

export interface DetectedFormat {
  readonly format: SheetFormat;
  /** The whole upload again, the peeked bytes included. */
  readonly body: Readable;
}

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
/** Compound File Binary: Excel 97-2003 workbooks, and password-protected .xlsx files too. */
const CFB_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
/** The stream an encrypted OOXML package keeps its key data in; CFB names are UTF-16LE. */
const ENCRYPTION_INFO_NAME = Buffer.from('EncryptionInfo', 'utf16le');
const PEEK_BYTES = CFB_MAGIC.length;

const MACRO_EXTENSIONS = new Set(['.xlsm', '.xltm', '.xlam']);
const WORKBOOK_EXTENSIONS = new Set(['.xlsx', '.xltx']);

const OTHER_DOCUMENTS: readonly { readonly magic: Buffer; readonly kind: string }[] = [
  { magic: Buffer.from('%PDF-'), kind: 'a PDF document' },
  { magic: Buffer.from([0x89, 0x50, 0x4e, 0x47]), kind: 'a PNG image' },
  { magic: Buffer.from([0xff, 0xd8, 0xff]), kind: 'a JPEG image' },
  { magic: Buffer.from('GIF8'), kind: 'a GIF image' },
  { magic: Buffer.from([0x1f, 0x8b]), kind: 'a gzip archive' },
  { magic: Buffer.from('{\\rtf'), kind: 'a Rich Text document' },
];

const SAVE_AS_XLSX_OR_CSV =
  'Open the file in Excel and save it as .xlsx or .csv (File › Save As › Excel Workbook, or CSV UTF-8), then upload that file.';

/**
 * CSV or XLSX, from the first bytes (the name only breaks ties the bytes leave open), or a
 * FileRejectedError saying why neither. Reads as little as it must: a few bytes, except for a
 * Compound File, which is scanned to tell an encrypted workbook from a legacy .xls.
 */
export async function detectFormat(body: Readable, fileName: string): Promise<DetectedFormat> {
  const chunks = body[Symbol.asyncIterator]();
  const taken: Buffer[] = [];
  let length = 0;
  while (length < PEEK_BYTES) {
    const next = await chunks.next();
    if (next.done) break;
    const chunk = asBuffer(next.value);
    taken.push(chunk);
    length += chunk.length;
  }
  const head = Buffer.concat(taken, length);
  const extension = extname(fileName).toLowerCase();

  if (length === 0) {
    throw new FileRejectedError(
      'EMPTY_FILE',
      'The file is empty (0 bytes).',
      'Fill in the template and upload it again.',
    );
  }
  if (MACRO_EXTENSIONS.has(extension)) {
    await chunks.return?.();
    throw macroWorkbook();
  }
  if (head.subarray(0, CFB_MAGIC.length).equals(CFB_MAGIC)) {
    throw (await containsEncryptionInfo(taken, chunks)) ? encryptedWorkbook() : legacyWorkbook();
  }
  if (head.subarray(0, ZIP_MAGIC.length).equals(ZIP_MAGIC)) {
    return { format: 'xlsx', body: byteStream(replay(taken, chunks)) };
  }

  const rejection = notText(head, extension);
  if (rejection) {
    await chunks.return?.();
    throw rejection;
  }
  return { format: 'csv', body: byteStream(replay(taken, chunks)) };
}

/** Bytes that are neither a zip nor a Compound File, yet clearly no CSV either. */
function notText(head: Buffer, extension: string): FileRejectedError | undefined {
  if (extension === '.xls') {
    return new FileRejectedError(
      'UNSUPPORTED_FILE_TYPE',
      'The file is named .xls but is not a workbook Muster can read (older Excel and web-page exports are not accepted).',
      SAVE_AS_XLSX_OR_CSV,
    );
  }
  if (WORKBOOK_EXTENSIONS.has(extension)) {
    return new FileRejectedError(
      'CORRUPT_FILE',
      `The file is named ${extension} but its content is not an Excel workbook: it is damaged or was renamed.`,
      'The file is damaged; open it in Excel and save it again as .xlsx (or as CSV UTF-8), then upload the new file.',
    );
  }
  const other = OTHER_DOCUMENTS.find(({ magic }) => head.subarray(0, magic.length).equals(magic));
  if (other) {
    return new FileRejectedError(
      'UNSUPPORTED_FILE_TYPE',
      `The file is ${other.kind}, not a spreadsheet.`,
      'Upload the users as .xlsx or .csv, starting from the template.',
    );
  }
  return undefined;
}

/** Scans the whole container: its directory, which names the streams, may sit anywhere in it. */
async function containsEncryptionInfo(
  taken: readonly Buffer[],
  rest: AsyncIterator<unknown>,
): Promise<boolean> {
  let carry = Buffer.alloc(0);
  for await (const chunk of replay(taken, rest)) {
    const window = Buffer.concat([carry, chunk]);
    if (window.includes(ENCRYPTION_INFO_NAME)) return true;
    carry = window.subarray(Math.max(0, window.length - ENCRYPTION_INFO_NAME.length + 1));
  }
  return false;
}

/** Excel's own names for workbooks that may carry macros (.xlsm, .xltm, .xlam). */
export function isMacroWorkbookName(fileName: string): boolean {
  return MACRO_EXTENSIONS.has(extname(fileName).toLowerCase());
}

export function macroWorkbook(): FileRejectedError {
  return new FileRejectedError(
    'MACRO_WORKBOOK',
    'The file is a macro-enabled workbook; those are not accepted because macros can run code.',
    'Open it in Excel and choose File › Save As › Excel Workbook (*.xlsx), then upload the .xlsx file.',
  );
}

function encryptedWorkbook(): FileRejectedError {
  return new FileRejectedError(
    'ENCRYPTED_WORKBOOK',
    'The workbook is protected with a password, so it cannot be read.',
    'Open it in Excel, remove the password (File › Info › Protect Workbook › Encrypt with Password, then clear it), save it and upload it again.',
  );
}

function legacyWorkbook(): FileRejectedError {
  return new FileRejectedError(
    'UNSUPPORTED_FILE_TYPE',
    'The file is in the Excel 97-2003 format (.xls) or another legacy Office format, which is not accepted.',
    SAVE_AS_XLSX_OR_CSV,
  );
}
