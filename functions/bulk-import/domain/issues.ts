/**
 * Everything validation can say about a file or a row. An `error` keeps the row (or the whole
 * file, for file-level codes) from being provisioned; a `warning` does not.
 */
export const ISSUE_CODES = {
  // File-level: the file cannot be read as a whole.
  FILE_TOO_LARGE: 'error',
  UNSUPPORTED_FILE_TYPE: 'error',
  MACRO_WORKBOOK: 'error',
  ENCRYPTED_WORKBOOK: 'error',
  CORRUPT_FILE: 'error',
  UNSUPPORTED_ENCODING: 'error',
  EMPTY_FILE: 'error',
  MISSING_REQUIRED_COLUMN: 'error',
  TOO_MANY_ROWS: 'error',
  /** A value past column 1,024 (MAX_COLUMNS): far beyond any user's details, and a cost bound on each row. */
  TOO_MANY_COLUMNS: 'error',
  UNKNOWN_COLUMN: 'warning',
  DUPLICATE_COLUMN: 'error',
  OLD_TEMPLATE_VERSION: 'warning',
  // Row-level.
  REQUIRED: 'error',
  INVALID_EMAIL: 'error',
  /** An address that imitates another: letters of another script (Cyrillic "а"), full-width forms, mixed-script domains. */
  CONFUSABLE_EMAIL: 'error',
  /** A valid address whose domain is a near miss of the file's common domain or a big provider's. */
  EMAIL_DOMAIN_TYPO: 'warning',
  DUPLICATE_IN_FILE: 'error',
  ALREADY_EXISTS: 'error',
  TOO_LONG: 'error',
  /** Control characters (other than tabs and line breaks, which become spaces) or bidi overrides in text. */
  INVALID_CHARACTERS: 'error',
  INVALID_PHONE: 'error',
  MANAGER_NOT_FOUND: 'error',
  UNKNOWN_ROLE: 'error',
  UNKNOWN_GROUP: 'error',
  INVALID_DATE: 'error',
  INVALID_LOCALE: 'error',
  POLICY_NO_DEFAULT_ROLE: 'error',
  REQUIRES_APPROVAL: 'warning',
  MALFORMED_ROW: 'error',
} as const;

export type IssueCode = keyof typeof ISSUE_CODES;
export type IssueSeverity = (typeof ISSUE_CODES)[IssueCode];

export interface ImportIssue {
  /** Spreadsheet row number; `null` for an issue with the file as a whole. */
  readonly row: number | null;
  /** The template column (snake_case) the issue is about, when it is about one. */
  readonly column: string | null;
  readonly code: IssueCode;
  readonly severity: IssueSeverity;
  readonly message: string;
  /** What the admin can do about it, e.g. "did you mean example.com?", "remove or merge with row 12". */
  readonly suggestion: string;
}

export function issue(fields: Omit<ImportIssue, 'severity'>): ImportIssue {
  return { ...fields, severity: ISSUE_CODES[fields.code] };
}
