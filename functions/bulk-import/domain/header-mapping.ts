import { type ImportIssue, issue } from './issues';
import {
  COLUMN_NAMES,
  type ColumnName,
  isOutdatedTemplateVersion,
  normalizeHeader,
  TEMPLATE_COLUMNS,
  TEMPLATE_DOWNLOAD_PATH,
  TEMPLATE_VERSION,
  templateVersionOf,
} from './template-columns';
import { closestMatch, typoBudget } from './text-distance';

/** A data record's raw cell text by template column; a column the file lacks is absent. */
export type ColumnValues = Readonly<Partial<Record<ColumnName, string>>>;

export interface HeaderMapping {
  /** Per header position, the template column held there; undefined for an ignored position. */
  readonly columns: readonly (ColumnName | undefined)[];
  /** Positions whose header is blank: their values are ignored, so the validator reports any it finds. */
  readonly unnamedPositions: readonly number[];
  /** The version the file's marker declares, when it has one. */
  readonly templateVersion?: string;
  /** File-level issues, in header order. */
  readonly issues: readonly ImportIssue[];
  /** An error among the issues: no data row can be read reliably, so validation stops here. */
  readonly rejected: boolean;
}

/** Every recognised header (names and aliases, normalised) to its column. */
const COLUMN_BY_HEADER: ReadonlyMap<string, ColumnName> = new Map(
  TEMPLATE_COLUMNS.flatMap((column) =>
    [column.name, ...column.aliases].map((header) => [normalizeHeader(header), column.name] as const),
  ),
);

const EMAIL_HEADERS = 'E-mail, Email Address and Work Email';
const MAX_LISTED_HEADERS = 10;

/** The spreadsheet letter of a zero-based column position: 0 → A, 26 → AA. */
export function columnLetter(position: number): string {
  let letters = '';
  for (let rest = position + 1; rest > 0; rest = Math.floor((rest - 1) / 26)) {
    letters = String.fromCharCode(65 + ((rest - 1) % 26)) + letters;
  }
  return letters;
}

/** The template column an unknown header is probably a misspelling of. */
function closestColumn(header: string): ColumnName | undefined {
  const normalized = normalizeHeader(header);
  const match = closestMatch(normalized, COLUMN_BY_HEADER.keys(), typoBudget(normalized.length));
  return match === undefined ? undefined : COLUMN_BY_HEADER.get(match);
}

/**
 * Maps the header record to template columns. Reports each unknown column (a warning: its values
 * are ignored), each template column given twice and a missing email column (errors: which value
 * to trust, or whom to create, cannot be known), and a marker from an outdated template.
 */
export function mapHeader(cells: readonly string[]): HeaderMapping {
  const columns: (ColumnName | undefined)[] = [];
  const unnamedPositions: number[] = [];
  const issues: ImportIssue[] = [];
  const firstPositionOf = new Map<ColumnName, number>();
  const unknownHeaders: { position: number; header: string }[] = [];
  let templateVersion: string | undefined;

  cells.forEach((cell, position) => {
    const header = cell.trim();
    columns.push(undefined);
    if (header === '') {
      unnamedPositions.push(position);
      return;
    }
    const declaredVersion = templateVersionOf(header);
    if (declaredVersion !== undefined) {
      templateVersion ??= declaredVersion;
      return;
    }
    const column = COLUMN_BY_HEADER.get(normalizeHeader(header));
    if (column === undefined) {
      unknownHeaders.push({ position, header });
      return;
    }
    const firstPosition = firstPositionOf.get(column);
    if (firstPosition !== undefined) {
      issues.push(
        issue({
          row: null,
          column,
          code: 'DUPLICATE_COLUMN',
          message: `Columns ${columnLetter(firstPosition)} "${cells[firstPosition]?.trim()}" and ${columnLetter(position)} "${header}" both hold ${column}.`,
          suggestion: `Keep one of the two columns and delete the other (or rename it if it holds something else).`,
        }),
      );
      return;
    }
    firstPositionOf.set(column, position);
    columns[position] = column;
  });

  for (const { position, header } of unknownHeaders) {
    const likely = closestColumn(header);
    issues.push(
      issue({
        row: null,
        column: header,
        code: 'UNKNOWN_COLUMN',
        message: `Column ${columnLetter(position)} "${header}" is not a template column; its values are ignored.`,
        suggestion:
          likely === undefined
            ? `Delete the column or leave it; the template's columns are ${COLUMN_NAMES.join(', ')}.`
            : `Did you mean ${likely}? If the column holds ${likely} values, rename its header to ${likely}.`,
      }),
    );
  }

  if (!firstPositionOf.has('email')) {
    const found = cells.map((cell) => cell.trim()).filter((header) => header !== '');
    const listed = found.slice(0, MAX_LISTED_HEADERS).join(', ');
    const misspelled = unknownHeaders.find(({ header }) => closestColumn(header) === 'email');
    issues.unshift(
      issue({
        row: null,
        column: 'email',
        code: 'MISSING_REQUIRED_COLUMN',
        message: `The header row has no email column (it has: ${listed}${found.length > MAX_LISTED_HEADERS ? ', …' : ''}), so no user can be created.`,
        suggestion:
          misspelled === undefined
            ? `Add a column headed "email" with each person's work email (${EMAIL_HEADERS} are recognised too), or start from the current template (${TEMPLATE_DOWNLOAD_PATH}).`
            : `Rename column ${columnLetter(misspelled.position)} "${misspelled.header}" to "email".`,
      }),
    );
  }

  if (templateVersion !== undefined && isOutdatedTemplateVersion(templateVersion)) {
    issues.push(
      issue({
        row: null,
        column: null,
        code: 'OLD_TEMPLATE_VERSION',
        message: `The file was made from template version ${templateVersion}; the current version is ${TEMPLATE_VERSION}. Columns were matched by name, so the file was still validated.`,
        suggestion: `Download the current template from ${TEMPLATE_DOWNLOAD_PATH}?format=xlsx (or csv) and copy your rows into it.`,
      }),
    );
  }

  return {
    columns,
    unnamedPositions,
    templateVersion,
    issues,
    rejected: issues.some((found) => found.severity === 'error'),
  };
}

/** The raw text of a record's cells by column, per the header mapping. */
export function columnValues(mapping: HeaderMapping, cells: readonly string[]): ColumnValues {
  // Every column in template order, absent ones undefined: one object shape for all rows.
  const values: { -readonly [column in ColumnName]: string | undefined } = {
    email: undefined,
    given_name: undefined,
    family_name: undefined,
    display_name: undefined,
    employee_id: undefined,
    department: undefined,
    job_family: undefined,
    phone: undefined,
    manager_email: undefined,
    locale: undefined,
    roles: undefined,
    groups: undefined,
    start_date: undefined,
  };
  const { columns } = mapping;
  for (let position = 0; position < columns.length; position++) {
    const column = columns[position];
    const cell = cells[position];
    if (column !== undefined && cell !== undefined) values[column] = cell;
  }
  return values;
}
