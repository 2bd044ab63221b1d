import { columnLetter } from '../domain/header-mapping';

/**
 * One record of an uploaded sheet, whatever its format: the cells as text exactly as the admin
 * sees them, and the spreadsheet row number (the header is row 1; a quoted CSV field spanning
 * several lines is still one row).
 *
 * Readers trim no value, but a record's cells end at its last non-empty cell (a CSV row padded
 * with commas and a worksheet row with styled empty cells read alike), and a row with no
 * non-empty cell is not yielded at all; the rows after it keep their true numbers.
 */
export interface SheetRecord {
  readonly row: number;
  readonly cells: readonly string[];
}

/**
 * The file cannot be read as a sheet at all; validation reports it as one file-level issue.
 * Readers may throw it before the first record or part-way through (a CSV quote that never
 * closes is found only at the end of the file), so records already yielded must be discarded.
 */
export class FileRejectedError extends Error {
  constructor(
    readonly code:
      | 'UNSUPPORTED_FILE_TYPE'
      | 'MACRO_WORKBOOK'
      | 'ENCRYPTED_WORKBOOK'
      | 'CORRUPT_FILE'
      | 'UNSUPPORTED_ENCODING'
      | 'EMPTY_FILE'
      | 'FILE_TOO_LARGE'
      | 'TOO_MANY_COLUMNS'
      | 'MALFORMED_ROW',
    message: string,
    readonly suggestion: string,
    /** The row that stopped the reading, when one did (a quote opened there never closes). */
    readonly row: number | null = null,
  ) {
    super(message);
    this.name = 'FileRejectedError';
  }
}

/**
 * The most columns a sheet may use: far more than any user's details need, and a bound on what
 * one row costs to read and judge, since a workbook can place a lone value in column XFD (16,384)
 * for a few bytes, and 100,000 such rows would keep validation busy for minutes.
 */
export const MAX_COLUMNS = 1_024;

/** Refuses the file at the first row holding a value past {@link MAX_COLUMNS}, before its cells are read. */
export function checkColumnCount(row: number, lastColumn: number): void {
  if (lastColumn <= MAX_COLUMNS) return;
  throw new FileRejectedError(
    'TOO_MANY_COLUMNS',
    `Row ${row} has a value in column ${columnLetter(lastColumn - 1)} (column ${lastColumn.toLocaleString('en-US')}); Muster reads at most ${MAX_COLUMNS.toLocaleString('en-US')} columns.`,
    `Delete the values after column ${columnLetter(MAX_COLUMNS - 1)} (the template's columns come first; nothing past them is imported), then upload the file again.`,
    row,
  );
}
