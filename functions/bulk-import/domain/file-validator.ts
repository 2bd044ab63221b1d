import { z } from 'zod';
import { FileRejectedError, type SheetRecord } from '../parsing/sheet-record';
import { findManagerProblems, ManagerReferences, RowFlags, RowsByKey } from './cross-row-index';
import { type CrossRowContext, crossRowIssues } from './cross-row-issues';
import { lookUpInChunks } from './directory-lookups';
import { EmailDomainTally } from './email-suggestions';
import { columnLetter, columnValues, type HeaderMapping, mapHeader } from './header-mapping';
import type { ImportRow } from './import-row';
import { type ImportIssue, ISSUE_CODES, type IssueCode, issue } from './issues';
import { type AccessResolver, createAccessResolver } from './role-assignment';
import { checkRow } from './row-rules';
import { ScratchFile } from './scratch-file';
import { inColumnOrder, TEMPLATE_DOWNLOAD_PATH } from './template-columns';
import type { TenantDirectoryLookup, ValidationSettings } from './validation-ports';

export interface ValidationInput {
  /** The sheet's records, header first, as the CSV or XLSX reader yields them. */
  readonly records: AsyncIterable<SheetRecord>;
  readonly settings: ValidationSettings;
  readonly directory: TenantDirectoryLookup;
  /** A writable directory for the scratch file (Lambda: /tmp); the file is deleted before returning. */
  readonly scratchDir: string;
}

export interface ValidationSink {
  /** Each valid row, in row order. */
  row(row: ImportRow): Promise<void>;
  /** Each issue: file-level ones first, then each row's, in row order. */
  issue(issue: ImportIssue): Promise<void>;
}

export interface ValidationOutcome {
  /** Data rows read; blank rows are not rows. Zero when the file is rejected: no row was validated. */
  readonly total: number;
  readonly valid: number;
  /** Rows with at least one error; `valid + invalid = total`. */
  readonly invalid: number;
  /** Warning issues emitted, file-level ones included; warnings never make a row invalid. */
  readonly warnings: number;
  /** A file-level error: nothing in the file may be provisioned (status VALIDATION_FAILED). */
  readonly rejected: boolean;
  /** The version the file's template marker declares, when it has one. */
  readonly templateVersion?: string;
}

const text = z.string();
const issueSchema = z
  .object({
    row: z.number().int().nullable(),
    column: text.nullable(),
    code: z.custom<IssueCode>((code) => typeof code === 'string' && Object.hasOwn(ISSUE_CODES, code)),
    message: text,
    suggestion: text,
  })
  .transform((fields) => issue(fields));

/** A row between the passes: its normalised values (email absent when invalid) and its own issues. */
const scratchEntrySchema = z.object({
  candidate: z.object({
    row: z.number().int(),
    email: text.optional(),
    givenName: text.optional(),
    familyName: text.optional(),
    displayName: text.optional(),
    employeeId: text.optional(),
    department: text.optional(),
    jobFamily: text.optional(),
    phone: text.optional(),
    managerEmail: text.optional(),
    locale: text.optional(),
    startDate: text.optional(),
    groups: z.array(text),
    roles: z.array(text),
    rolesPendingApproval: z.array(text),
  }),
  issues: z.array(issueSchema),
});
type ScratchEntry = z.input<typeof scratchEntrySchema>;

/** Everything the first pass keeps: keys, not rows. */
class FileIndex {
  readonly emails = new RowsByKey();
  readonly employeeIds = new RowsByKey();
  readonly managers = new ManagerReferences();
  readonly rowsWithErrors = new RowFlags();
  readonly domains = new EmailDomainTally();
  /** For each header position without a header, the first row with a value there. */
  readonly firstValueUnderUnnamed = new Map<number, number>();

  remember({ candidate, issues }: ScratchEntry): void {
    const { row, email, employeeId, managerEmail } = candidate;
    if (email !== undefined) {
      this.emails.add(email, row);
      this.domains.add(email);
    }
    if (employeeId !== undefined) this.employeeIds.add(employeeId, row);
    if (managerEmail !== undefined) this.managers.add(managerEmail, row, email);
    if (issues.some(({ code }) => ISSUE_CODES[code] === 'error')) this.rowsWithErrors.add(row);
  }
}

type FirstPass =
  | {
      readonly rejected: true;
      readonly fileIssues: readonly ImportIssue[];
      readonly templateVersion?: string;
    }
  | {
      readonly rejected: false;
      readonly fileIssues: readonly ImportIssue[];
      readonly templateVersion?: string;
      readonly total: number;
      readonly index: FileIndex;
    };

const isBlank = (cells: readonly string[]) => cells.every((cell) => cell.trim() === '');

function fileIssue(code: IssueCode, message: string, suggestion: string): ImportIssue {
  return issue({ row: null, column: null, code, message, suggestion });
}

/** A record's scratch entry: a record with values past the header is only reported as malformed. */
function checkRecord(
  record: SheetRecord,
  mapping: HeaderMapping,
  resolveAccess: AccessResolver,
): ScratchEntry {
  const check = checkRow(record.row, columnValues(mapping, record.cells));
  const access = resolveAccess(record.row, check);
  const candidate = {
    row: record.row,
    ...check.fields,
    groups: [...access.groups],
    roles: [...access.roles],
    rolesPendingApproval: [...access.rolesPendingApproval],
  };
  const width = mapping.columns.length;
  const extra = record.cells.findIndex((cell, position) => position >= width && cell.trim() !== '');
  if (extra === -1) return { candidate, issues: inColumnOrder([...check.issues, ...access.issues]) };
  // Only the email is kept (so duplicates of it are still found): the shifted values mean nothing.
  const { email } = check.fields;
  const malformed = issue({
    row: record.row,
    column: null,
    code: 'MALFORMED_ROW',
    message: `The row has a value in column ${columnLetter(extra)} ("${record.cells[extra]?.trim()}"), past the header's last column (${columnLetter(width - 1)}); its other values are probably shifted, so they were not checked.`,
    suggestion:
      'Put quotes around values that contain the delimiter (e.g. "Smith, Jr."), or give the extra column a header.',
  });
  return {
    candidate: { row: record.row, email, groups: [], roles: [], rolesPendingApproval: [] },
    issues: [malformed],
  };
}

/**
 * Pass 1: reads the records once, checks each row on its own, spills it to the scratch file and
 * keeps only the keys the cross-row checks need. Stops at the first record past the row limit.
 */
async function readRecords(
  { records, settings }: ValidationInput,
  scratch: ScratchFile<typeof scratchEntrySchema>,
): Promise<FirstPass> {
  const fileIssues: ImportIssue[] = [];
  const index = new FileIndex();
  const resolveAccess = createAccessResolver(settings);
  let mapping: HeaderMapping | undefined;
  let total = 0;
  const rejected = (found: ImportIssue[]): FirstPass => ({
    rejected: true,
    fileIssues: [...fileIssues, ...found],
    templateVersion: mapping?.templateVersion,
  });

  try {
    for await (const record of records) {
      if (isBlank(record.cells)) continue;
      if (mapping === undefined) {
        mapping = mapHeader(record.cells);
        fileIssues.push(...mapping.issues);
        if (mapping.rejected) return rejected([]);
        continue;
      }
      total += 1;
      if (total > settings.maxRows) {
        const limit = settings.maxRows.toLocaleString('en-US');
        return rejected([
          fileIssue(
            'TOO_MANY_ROWS',
            `The file has more than ${limit} user rows, the limit for one import; reading stopped at row ${record.row}.`,
            `Split the file into files of at most ${limit} rows each and import them one after another.`,
          ),
        ]);
      }
      const entry = checkRecord(record, mapping, resolveAccess);
      index.remember(entry);
      for (const position of mapping.unnamedPositions) {
        if (!index.firstValueUnderUnnamed.has(position) && (record.cells[position] ?? '').trim() !== '') {
          index.firstValueUnderUnnamed.set(position, record.row);
        }
      }
      await scratch.append(entry);
    }
  } catch (error) {
    if (!(error instanceof FileRejectedError)) throw error;
    return rejected([fileIssue(error.code, error.message, error.suggestion)]);
  }

  if (mapping === undefined) {
    return rejected([
      fileIssue(
        'EMPTY_FILE',
        'The file has no rows at all.',
        `Fill in the template (${TEMPLATE_DOWNLOAD_PATH}) with one row per user and upload it again.`,
      ),
    ]);
  }
  if (total === 0) {
    return rejected([
      fileIssue(
        'EMPTY_FILE',
        'The file has a header row but no user rows.',
        'Add one row per user under the header and upload the file again.',
      ),
    ]);
  }
  for (const [position, row] of index.firstValueUnderUnnamed) {
    const letter = columnLetter(position);
    fileIssues.push(
      issue({
        row: null,
        column: null,
        code: 'UNKNOWN_COLUMN',
        message: `Column ${letter} has no header, so its values are ignored (the first is in row ${row}).`,
        suggestion: `Give column ${letter} a header from the template (e.g. department), or delete its values.`,
      }),
    );
  }
  return { rejected: false, fileIssues, templateVersion: mapping.templateVersion, total, index };
}

/** Between the passes: ask the directory about every key, then settle duplicates and managers. */
async function checkAcrossRows(index: FileIndex, directory: TenantDirectoryLookup): Promise<CrossRowContext> {
  const managersOutsideFile = function* () {
    for (const manager of index.managers.managers()) if (!index.emails.has(manager)) yield manager;
  };
  const existingEmails = await lookUpInChunks(
    (function* () {
      yield* index.emails.keys();
      yield* managersOutsideFile();
    })(),
    (chunk) => directory.existingEmails(chunk),
  );
  const existingEmployeeIds = await lookUpInChunks(index.employeeIds.keys(), (chunk) =>
    directory.existingEmployeeIds(chunk),
  );

  for (const keys of [index.emails, index.employeeIds]) {
    for (const [, rows] of keys.duplicates()) for (const row of rows) index.rowsWithErrors.add(row);
  }
  for (const email of existingEmails)
    for (const row of index.emails.rowsOf(email)) index.rowsWithErrors.add(row);
  for (const id of existingEmployeeIds)
    for (const row of index.employeeIds.rowsOf(id)) index.rowsWithErrors.add(row);

  return {
    fileEmails: index.emails,
    fileEmployeeIds: index.employeeIds,
    existingEmails,
    existingEmployeeIds,
    managerProblems: findManagerProblems({
      fileEmails: index.emails,
      references: index.managers,
      existingEmails,
      rowsWithErrors: index.rowsWithErrors,
    }),
    domains: index.domains,
  };
}

/**
 * Validates an uploaded sheet in two streaming passes, so memory grows with the file's distinct
 * keys, not its size: pass 1 checks each row alone and spills it to a scratch file, the directory
 * is asked about all keys in batches, and pass 2 streams the scratch file back, adding cross-row
 * issues, to emit every issue and every valid row in row order. File-level issues come first; a
 * rejected file emits only those.
 */
export async function validateImportFile(
  input: ValidationInput,
  sink: ValidationSink,
): Promise<ValidationOutcome> {
  const scratch = await ScratchFile.create(input.scratchDir, scratchEntrySchema);
  try {
    const firstPass = await readRecords(input, scratch);
    let warnings = 0;
    const emit = async (found: ImportIssue) => {
      if (found.severity === 'warning') warnings += 1;
      await sink.issue(found);
    };
    for (const found of firstPass.fileIssues) await emit(found);
    const { templateVersion } = firstPass;
    if (firstPass.rejected)
      return { total: 0, valid: 0, invalid: 0, warnings, rejected: true, templateVersion };

    const context = await checkAcrossRows(firstPass.index, input.directory);
    let valid = 0;
    let invalid = 0;
    for await (const { candidate, issues: ownIssues } of scratch.entries()) {
      // A malformed row's values are shifted: only its own MALFORMED_ROW is worth reporting.
      const malformed = ownIssues.some(({ code }) => code === 'MALFORMED_ROW');
      const crossRow = malformed ? [] : crossRowIssues(candidate, context);
      const issues = crossRow.length === 0 ? ownIssues : inColumnOrder([...ownIssues, ...crossRow]);
      for (const found of issues) await emit(found);
      const { email } = candidate;
      if (email !== undefined && !issues.some(({ severity }) => severity === 'error')) {
        valid += 1;
        await sink.row({ ...candidate, email });
      } else invalid += 1;
    }
    return { total: firstPass.total, valid, invalid, warnings, rejected: false, templateVersion };
  } finally {
    await scratch.discard();
  }
}
