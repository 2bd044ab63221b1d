import type { Readable } from 'node:stream';
import { readCsvRecords } from './csv-records';
import { detectFormat, type SheetFormat } from './detect-format';
import type { SheetRecord } from './sheet-record';
import { readXlsxRecords, type XlsxReadOptions } from './xlsx-records';

export interface UploadedFile {
  /** The upload's bytes, e.g. the S3 object body. */
  readonly body: Readable;
  /** The name the admin gave the file; only consulted where the bytes leave the format open. */
  readonly fileName: string;
}

export interface OpenedSheet {
  readonly format: SheetFormat;
  /** Throws FileRejectedError when the file cannot be read, possibly after some records. */
  readonly records: AsyncIterable<SheetRecord>;
}

/** Detects the upload's format (rejections that need no parsing throw here) and reads it. */
export async function openSheet(file: UploadedFile, options: XlsxReadOptions = {}): Promise<OpenedSheet> {
  const { format, body } = await detectFormat(file.body, file.fileName);
  return { format, records: format === 'csv' ? readCsvRecords(body) : readXlsxRecords(body, options) };
}
