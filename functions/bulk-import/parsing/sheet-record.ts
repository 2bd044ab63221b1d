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
