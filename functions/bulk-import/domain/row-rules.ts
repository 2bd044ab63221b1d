import { checkStartDate } from './calendar-date';
import { checkEmailAddress, describeCharacter } from './email-address';
import type { ColumnValues } from './header-mapping';
import type { ImportRow } from './import-row';
import { type ImportIssue, type IssueCode, issue } from './issues';
import { checkLocale } from './locale-tag';
import { checkPhoneNumber, phoneRegionOf } from './phone-number';
import { type ColumnName, inColumnOrder, templateColumn } from './template-columns';

/** A row's normalised values; a blank or invalid cell leaves its field out. */
export type RowFields = Partial<Omit<ImportRow, 'row' | 'groups' | 'roles' | 'rolesPendingApproval'>>;

export interface RowCheck {
  readonly fields: RowFields;
  /** The roles cell split, trimmed, lower-cased (role names are) and de-duplicated, in order. */
  readonly requestedRoles: readonly string[];
  /** The groups cell split, trimmed and de-duplicated ignoring case, in order. */
  readonly requestedGroups: readonly string[];
  readonly issues: readonly ImportIssue[];
}

type TextField = 'givenName' | 'familyName' | 'displayName' | 'employeeId' | 'department' | 'jobFamily';

const TEXT_COLUMNS: readonly (readonly [ColumnName, TextField])[] = [
  ['given_name', 'givenName'],
  ['family_name', 'familyName'],
  ['display_name', 'displayName'],
  ['employee_id', 'employeeId'],
  ['department', 'department'],
  ['job_family', 'jobFamily'],
];

/** Control characters and bidi overrides: never meant, and able to disguise a name. */
const FORBIDDEN_CHARACTER = /[\p{Cc}\u202a-\u202e\u2066-\u2069]/u;
const PLAIN_TEXT = /^[\x21-\x7e]+(?: [\x21-\x7e]+)*$/;
/** Roles are `[a-z0-9_]` names, so a comma can only be a separator; group names may contain commas. */
const ROLE_SEPARATORS = /[;,]/;
const GROUP_SEPARATOR = /;/;

/** A cell's normalised value, its issue, or undefined when blank: no wrapper object per cell. */
type TextCheck = string | ImportIssue | undefined;

/**
 * Trims a text cell, turns line breaks and tabs (Alt+Enter in Excel, pasted text) into single
 * spaces, composes accents (NFC) and checks length and characters. A blank cell has no value.
 */
function checkText(row: number, column: ColumnName, raw: string, label: string = column): TextCheck {
  const { maxLength = Number.POSITIVE_INFINITY } = templateColumn(column);
  // Most cells are printable ASCII words single-spaced: already trimmed, composed and clean.
  if (PLAIN_TEXT.test(raw) && raw.length <= maxLength) return raw;
  const text = raw.replace(/\s+/gu, ' ').trim().normalize('NFC');
  if (text === '') return undefined;
  const forbidden = FORBIDDEN_CHARACTER.exec(text)?.[0];
  if (forbidden !== undefined) {
    return issue({
      row,
      column,
      code: 'INVALID_CHARACTERS',
      message: `${label} "${text.replace(FORBIDDEN_CHARACTER, '�')}" contains ${describeCharacter(forbidden)}.`,
      suggestion: 'Retype the value; such characters usually come from copying out of another program.',
    });
  }
  // Code points, as people count; never more than UTF-16 units, so only long values are counted.
  const length = text.length > maxLength ? [...text].length : 0;
  if (length > maxLength) {
    return issue({
      row,
      column,
      code: 'TOO_LONG',
      message: `${label} is ${length} characters long; at most ${maxLength} are allowed.`,
      suggestion: `Shorten it to ${maxLength} characters or fewer.`,
    });
  }
  return text;
}

function checkEmailCell(row: number, column: 'email' | 'manager_email', raw: string): TextCheck {
  const text = raw.trim();
  if (text === '') {
    if (column === 'manager_email') return undefined;
    return issue({
      row,
      column,
      code: 'REQUIRED',
      message: "email is empty; every row needs the person's work email.",
      suggestion: 'Fill in the work email, or delete the row if it is not a person.',
    });
  }
  const { maxLength = Number.POSITIVE_INFINITY } = templateColumn(column);
  if (text.length > maxLength) {
    return issue({
      row,
      column,
      code: 'TOO_LONG',
      message: `${column} is ${text.length} characters long; an email address has at most ${maxLength}.`,
      suggestion: 'Check that the cell holds a single address.',
    });
  }
  const checked = checkEmailAddress(text);
  if (checked.valid) return checked.email;
  if (checked.lookalike) {
    return issue({
      row,
      column,
      code: 'CONFUSABLE_EMAIL',
      message: `"${text}" is not the address it looks like: ${checked.problem}.`,
      suggestion: `${checked.correction === undefined ? 'Retype the address' : `If ${checked.correction} is meant, retype it`} by hand; such characters come from text copied out of a document, a web page or a message meant to deceive.`,
    });
  }
  return issue({
    row,
    column,
    code: 'INVALID_EMAIL',
    message: `"${text}" is not a valid email address: ${checked.problem}.`,
    suggestion:
      checked.correction === undefined
        ? 'Write a single address such as name@company.com.'
        : `Did you mean ${checked.correction}?`,
  });
}

/**
 * Splits a list cell into distinct entries, each checked as text; the first spelling of an entry
 * repeated in another case is kept.
 */
function checkList(
  row: number,
  column: 'roles' | 'groups',
  raw: string,
  issues: ImportIssue[],
): readonly string[] {
  const separators = column === 'roles' ? ROLE_SEPARATORS : GROUP_SEPARATOR;
  // Most cells are blank or name a single entry.
  if (raw === '') return [];
  if (!separators.test(raw)) {
    const checked = checkText(row, column, raw, `${column} entry`);
    if (typeof checked !== 'string') {
      if (checked !== undefined) issues.push(checked);
      return [];
    }
    const value = checked;
    return [column === 'roles' ? value.toLowerCase() : value];
  }
  const entries = new Map<string, string>();
  for (const part of raw.split(separators)) {
    const checked = checkText(row, column, part, `${column} entry`);
    if (typeof checked === 'object') issues.push(checked);
    const value = typeof checked === 'string' ? checked : undefined;
    const entry = column === 'roles' ? value?.toLowerCase() : value;
    if (entry !== undefined && !entries.has(entry.toLowerCase())) entries.set(entry.toLowerCase(), entry);
  }
  const { maxItems = Number.POSITIVE_INFINITY } = templateColumn(column);
  if (entries.size > maxItems) {
    issues.push(
      issue({
        row,
        column,
        code: 'TOO_LONG',
        message: `${column} lists ${entries.size} entries; at most ${maxItems} are allowed.`,
        suggestion: `Keep at most ${maxItems} here and add the rest after the import.`,
      }),
    );
  }
  return [...entries.values()];
}

/** The issue for a value a format checker refused: `phone "123" is too short`. */
function refusal(
  row: number,
  column: ColumnName,
  code: IssueCode,
  value: string,
  { problem, suggestion }: { readonly problem: string; readonly suggestion: string },
): ImportIssue {
  return issue({ row, column, code, message: `${column} "${value}" ${problem}.`, suggestion });
}

type MutableRowFields = { -readonly [field in keyof RowFields]: RowFields[field] };

function keep(
  fields: MutableRowFields,
  issues: ImportIssue[],
  field: Exclude<keyof RowFields, 'locale' | 'phone' | 'startDate'>,
  check: TextCheck,
): void {
  if (typeof check === 'string') fields[field] = check;
  else if (check !== undefined) issues.push(check);
}

/**
 * Checks and normalises one data record's cells. Cross-row matters (duplicates, existing users,
 * managers, known roles and groups) are the file validator's.
 */
export function checkRow(row: number, values: ColumnValues): RowCheck {
  const issues: ImportIssue[] = [];
  const fields: MutableRowFields = {};
  keep(fields, issues, 'email', checkEmailCell(row, 'email', values.email ?? ''));
  for (const [column, field] of TEXT_COLUMNS) {
    keep(fields, issues, field, checkText(row, column, values[column] ?? ''));
  }

  const locale = values.locale?.trim() ?? '';
  const localeCheck = checkText(row, 'locale', locale);
  if (typeof localeCheck === 'object') issues.push(localeCheck);
  else if (locale !== '') {
    const checked = checkLocale(locale);
    if (checked.valid) fields.locale = checked.locale;
    else issues.push(refusal(row, 'locale', 'INVALID_LOCALE', locale, checked));
  }

  const phone = values.phone?.trim() ?? '';
  if (phone !== '') {
    const checked = checkPhoneNumber(phone, phoneRegionOf(fields.locale));
    if (checked.valid) fields.phone = checked.e164;
    else issues.push(refusal(row, 'phone', 'INVALID_PHONE', phone, checked));
  }

  keep(fields, issues, 'managerEmail', checkEmailCell(row, 'manager_email', values.manager_email ?? ''));

  const startDate = values.start_date?.trim() ?? '';
  if (startDate !== '') {
    const checked = checkStartDate(startDate);
    if (checked.valid) fields.startDate = checked.date;
    else issues.push(refusal(row, 'start_date', 'INVALID_DATE', startDate, checked));
  }

  const requestedRoles = checkList(row, 'roles', values.roles ?? '', issues);
  const requestedGroups = checkList(row, 'groups', values.groups ?? '', issues);
  // Locale is read before phone (its region reads national numbers); report in the sheet's order.
  return {
    fields,
    requestedRoles,
    requestedGroups,
    issues: issues.length < 2 ? issues : inColumnOrder(issues),
  };
}
