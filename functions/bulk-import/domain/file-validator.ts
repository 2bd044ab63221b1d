import { rename, truncate } from 'node:fs/promises';
import { z } from 'zod';
import { FileRejectedError, type SheetRecord } from '../parsing/sheet-record';
import { findManagerProblems, ManagerReferences, RowFlags, RowsByKey } from './cross-row-index';
import { type CrossRowContext, crossRowIssues } from './cross-row-issues';
import { lookUpInChunks } from './directory-lookups';
import { EmailDomainTally } from './email-suggestions';
import { columnLetter, columnValues, type HeaderMapping, mapHeader } from './header-mapping';
import type { ImportRow } from './import-row';
import { type ImportIssue, ISSUE_CODES, type IssueCode, issue } from './issues';
import { Int32Column, KeyTable } from './key-table';
import { type AccessResolver, createAccessResolver } from './role-assignment';
import { checkRow, type RowFields } from './row-rules';
import { LinesFile, ScratchFile } from './scratch-file';
import { inColumnOrder, TEMPLATE_DOWNLOAD_PATH } from './template-columns';
import type { TenantDirectoryLookup, ValidationSettings } from './validation-ports';

export interface ValidationInput {
  /** The sheet's records, header first, as the CSV or XLSX reader yields them. */
  readonly records: AsyncIterable<SheetRecord>;
  readonly settings: ValidationSettings;
  readonly directory: TenantDirectoryLookup;
  /** A writable directory for scratch files (Lambda: /tmp); they are deleted before returning. */
  readonly scratchDir: string;
  /**
   * Where to write the valid rows: JSON Lines, one `ImportRow` a line, in row order (empty when
   * the file is rejected). Each row is serialised once, when first checked; whoever reads the
   * file validates it (with the import-row codec), as it would any file.
   */
  readonly validRowsPath: string;
}

export interface ValidationSink {
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

/** A row checked on its own: its normalised values (email absent when invalid) and its own issues. */
interface CheckedRow {
  readonly candidate: RowFields & Pick<ImportRow, 'row' | 'groups' | 'roles' | 'rolesPendingApproval'>;
  readonly issues: readonly ImportIssue[];
}

const isError = ({ severity }: ImportIssue) => severity === 'error';

/**
 * What pass 1 writes: the rows valid on their own (the valid-rows file, from which pass 2 only
 * has to take out rows that fail a cross-row check) and, in a scratch file, the rows' issues.
 */
interface Spill {
  readonly validRows: LinesFile;
  readonly issues: ScratchFile<typeof issueSchema>;
}

/** No key: a row without a valid email or employee id. */
const NO_KEY = -1;

/** Everything the first pass keeps: keys and a few integers a row, never the rows' values. */
class FileIndex {
  /** Row emails and managers' emails share one table: most managers are rows of the file too. */
  private readonly emailKeys = new KeyTable();
  readonly emails = new RowsByKey(this.emailKeys);
  readonly employeeIds = new RowsByKey();
  readonly managers = new ManagerReferences(this.emailKeys);
  /** Per data row, in order: its row number and the ids of its email and employee id. */
  readonly rowNumbers = new Int32Column();
  readonly emailIds = new Int32Column();
  readonly employeeIdIds = new Int32Column();
  /** Rows with an error of their own; between the passes, those with a duplicate or existing key join them. */
  readonly rowsWithErrors = new RowFlags();
  readonly rowsWithOwnErrors = new RowFlags();
  readonly rowsWithIssues = new RowFlags();
  readonly domains = new EmailDomainTally();
  /** For each header position without a header, the first row with a value there. */
  readonly firstValueUnderUnnamed = new Map<number, number>();

  /** Rows with a valid email and no error of their own: the lines of the valid-rows file. */
  validOnItsOwn = 0;

  /** Remembers the row's keys; true when the row is valid on its own. */
  remember({ candidate, issues }: CheckedRow): boolean {
    const { row, email, employeeId, managerEmail } = candidate;
    this.rowNumbers.push(row);
    this.emailIds.push(email === undefined ? NO_KEY : this.emails.add(email, row));
    this.employeeIdIds.push(employeeId === undefined ? NO_KEY : this.employeeIds.add(employeeId, row));
    if (email !== undefined) this.domains.add(email);
    if (managerEmail !== undefined) this.managers.add(managerEmail, row, email);
    if (issues.length > 0) {
      this.rowsWithIssues.add(row);
      if (issues.some(isError)) {
        this.rowsWithErrors.add(row);
        this.rowsWithOwnErrors.add(row);
      }
    }
    const valid = email !== undefined && !this.rowsWithOwnErrors.has(row);
    if (valid) this.validOnItsOwn += 1;
    return valid;
  }

  /** Whether the data row at this position is valid on its own (has a line in the valid-rows file). */
  isValidOnItsOwn(position: number): boolean {
    return (
      this.emailIds.get(position) !== NO_KEY && !this.rowsWithOwnErrors.has(this.rowNumbers.get(position))
    );
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

/** The position of the first value past the header's width, or -1. */
function valueBeyond(cells: readonly string[], width: number): number {
  return cells.findIndex((cell, position) => position >= width && cell.trim() !== '');
}

/** A record checked on its own: a record with values past the header is only reported as malformed. */
function checkRecord(record: SheetRecord, mapping: HeaderMapping, resolveAccess: AccessResolver): CheckedRow {
  const check = checkRow(record.row, columnValues(mapping, record.cells));
  const access = resolveAccess(record.row, check);
  const { fields } = check;
  // Every field in one order, absent ones undefined: one object shape for all rows, which
  // JSON.stringify (once a row) serialises fastest; undefined fields are left out of the JSON.
  const candidate = {
    row: record.row,
    email: fields.email,
    givenName: fields.givenName,
    familyName: fields.familyName,
    displayName: fields.displayName,
    employeeId: fields.employeeId,
    department: fields.department,
    jobFamily: fields.jobFamily,
    phone: fields.phone,
    managerEmail: fields.managerEmail,
    locale: fields.locale,
    startDate: fields.startDate,
    groups: access.groups,
    roles: access.roles,
    rolesPendingApproval: access.rolesPendingApproval,
  };
  const width = mapping.columns.length;
  const extra = record.cells.length <= width ? -1 : valueBeyond(record.cells, width);
  if (extra === -1) {
    const issues =
      access.issues.length === 0 ? check.issues : inColumnOrder([...check.issues, ...access.issues]);
    return { candidate, issues };
  }
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
 * Pass 1: reads the records once, checks each row on its own, writes it to the valid-rows file
 * when it is valid on its own, spills its issues, and keeps only the keys the cross-row checks
 * need. Stops at the first record past the row limit.
 */
async function readRecords({ records, settings }: ValidationInput, spill: Spill): Promise<FirstPass> {
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
      const checked = checkRecord(record, mapping, resolveAccess);
      const validOnItsOwn = index.remember(checked);
      for (const position of mapping.unnamedPositions) {
        if (!index.firstValueUnderUnnamed.has(position) && (record.cells[position] ?? '').trim() !== '') {
          index.firstValueUnderUnnamed.set(position, record.row);
        }
      }
      const { candidate, issues } = checked;
      if (validOnItsOwn && spill.validRows.append(JSON.stringify(candidate))) await spill.validRows.flush();
      for (const found of issues) if (spill.issues.append(found)) await spill.issues.flush();
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

/** The rows the cross-row checks can concern, decided from key ids without decoding a key. */
function crossRowSuspects(index: FileIndex, context: CrossRowContext) {
  // When the directory knows some keys, or some domain looks like a typo, every row is asked.
  const askEveryEmail = context.existingEmails.size > 0 || context.domains.suggestsForAny();
  const askEveryEmployeeId = context.existingEmployeeIds.size > 0;
  return (row: number, emailId: number, employeeIdId: number): boolean =>
    context.managerProblems.has(row) ||
    (emailId !== NO_KEY && (askEveryEmail || index.emails.isRepeated(emailId))) ||
    (employeeIdId !== NO_KEY && (askEveryEmployeeId || index.employeeIds.isRepeated(employeeIdId)));
}

/**
 * Pass 2: walks the data rows in order (by the index: no row is read back), merging each row's
 * own issues (read back from the spill) with its cross-row ones. Returns the rows valid on their
 * own that a cross-row error takes out of the valid-rows file.
 */
async function emitInRowOrder(
  index: FileIndex,
  spill: Spill,
  context: CrossRowContext,
  emit: (found: ImportIssue) => Promise<void>,
): Promise<RowFlags> {
  const ownIssues = spill.issues.entries();
  try {
    return await walkRows(index, ownIssues, context, emit);
  } finally {
    // Stopped early (the sink failed): the scratch file's read stream is closed now, not at GC.
    await ownIssues.return(undefined);
  }
}

async function walkRows(
  index: FileIndex,
  ownIssues: AsyncGenerator<ImportIssue>,
  context: CrossRowContext,
  emit: (found: ImportIssue) => Promise<void>,
): Promise<RowFlags> {
  const isSuspect = crossRowSuspects(index, context);
  const takenOut = new RowFlags();
  let nextOwn = await ownIssues.next();
  for (let position = 0; position < index.rowNumbers.length; position++) {
    const row = index.rowNumbers.get(position);
    const emailId = index.emailIds.get(position);
    const employeeIdId = index.employeeIdIds.get(position);
    const own: ImportIssue[] = [];
    if (index.rowsWithIssues.has(row)) {
      for (; !nextOwn.done && nextOwn.value.row === row; nextOwn = await ownIssues.next())
        own.push(nextOwn.value);
    }
    // A malformed row's values are shifted: only its own MALFORMED_ROW is worth reporting.
    const malformed = own.some(({ code }) => code === 'MALFORMED_ROW');
    if (malformed || !isSuspect(row, emailId, employeeIdId)) {
      for (const found of own) await emit(found);
      continue;
    }
    const crossRow = crossRowIssues(
      {
        row,
        email: emailId === NO_KEY ? undefined : index.emails.keyOf(emailId),
        employeeId: employeeIdId === NO_KEY ? undefined : index.employeeIds.keyOf(employeeIdId),
      },
      context,
    );
    for (const found of crossRow.length === 0 ? own : inColumnOrder([...own, ...crossRow])) await emit(found);
    if (crossRow.some(isError) && index.isValidOnItsOwn(position)) takenOut.add(row);
  }
  if (!nextOwn.done)
    throw new Error('The validation scratch file holds issues of rows that were never read.');
  return takenOut;
}

/**
 * Rewrites the valid-rows file without the rows taken out; its lines are the rows valid on their
 * own, in order, so the index says which row each line is without parsing it.
 */
async function takeOutRows(index: FileIndex, validRows: LinesFile, takenOut: RowFlags): Promise<void> {
  const kept = await LinesFile.create(`${validRows.path}.kept`);
  try {
    let position = -1;
    const nextRowWithLine = () => {
      do position += 1;
      while (position < index.rowNumbers.length && !index.isValidOnItsOwn(position));
      return index.rowNumbers.get(position);
    };
    for await (const lines of validRows.blocks()) {
      for (const line of lines) {
        if (!takenOut.has(nextRowWithLine()) && kept.append(line)) await kept.flush();
      }
    }
    await kept.close();
    await rename(kept.path, validRows.path);
  } catch (error) {
    await kept.discard();
    throw error;
  }
}

/**
 * Validates an uploaded sheet in two streaming passes, so memory grows with the file's distinct
 * keys (and a few bytes a row), not its size: pass 1 checks each row alone, writes the rows valid
 * on their own to the valid-rows file and spills the rows' issues to a scratch file; the
 * directory is asked about all keys in batches; pass 2 walks the rows by the index, emitting
 * every issue in row order with the cross-row ones, and takes the rows a cross-row error
 * invalidates out of the valid-rows file. File-level issues come first; a rejected file emits
 * only those, and leaves the valid-rows file empty.
 */
export async function validateImportFile(
  input: ValidationInput,
  sink: ValidationSink,
): Promise<ValidationOutcome> {
  const validRows = await LinesFile.create(input.validRowsPath);
  const issues = await ScratchFile.create(input.scratchDir, issueSchema).catch(async (error: unknown) => {
    await validRows.discard();
    throw error;
  });
  const spill: Spill = { validRows, issues };
  try {
    const firstPass = await readRecords(input, spill);
    let warnings = 0;
    const emit = (found: ImportIssue) => {
      if (found.severity === 'warning') warnings += 1;
      return sink.issue(found);
    };
    for (const found of firstPass.fileIssues) await emit(found);
    const { templateVersion } = firstPass;
    if (firstPass.rejected) {
      await validRows.close();
      await truncate(validRows.path);
      return { total: 0, valid: 0, invalid: 0, warnings, rejected: true, templateVersion };
    }

    const { index, total } = firstPass;
    const context = await checkAcrossRows(index, input.directory);
    const takenOut = await emitInRowOrder(index, spill, context, emit);
    if (takenOut.size > 0) await takeOutRows(index, validRows, takenOut);
    const valid = index.validOnItsOwn - takenOut.size;
    return { total, valid, invalid: total - valid, warnings, rejected: false, templateVersion };
  } catch (error) {
    // A failed validation has no valid rows: leave no half-written file to be mistaken for them.
    await validRows.discard();
    throw error;
  } finally {
    await Promise.all([validRows.close(), issues.discard()]);
  }
}
