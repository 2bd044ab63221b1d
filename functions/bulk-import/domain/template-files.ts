import type { Writable } from 'node:stream';
import ExcelJS, { type DataValidation } from 'exceljs';
import {
  COLUMN_NAMES,
  type ColumnName,
  TEMPLATE_COLUMNS,
  TEMPLATE_DOWNLOAD_PATH,
  TEMPLATE_VERSION,
  TEMPLATE_VERSION_HEADER,
  type TemplateColumn,
} from './template-columns';
import type { ValidationSettings } from './validation-ports';

/** What the XLSX template tells the admin about their tenant. */
export type TemplateContext = Pick<
  ValidationSettings,
  'knownRoles' | 'knownGroups' | 'approvalRoles' | 'rolePolicy'
>;

export const USERS_SHEET = 'Users';
export const INSTRUCTIONS_SHEET = 'Instructions';
/** Holds the dropdown lists; hidden, since a list in another sheet has no length limit. */
const LISTS_SHEET = 'Lists';
/** Rows of the Users sheet that get dropdowns and length checks. */
export const TEMPLATE_PREPARED_ROWS = 1000;
const TEXT_FORMAT = '@';

const HEADER = [...COLUMN_NAMES, TEMPLATE_VERSION_HEADER];
const EXAMPLE_ROW = [...TEMPLATE_COLUMNS.map((column) => column.example), ''];

/** RFC 4180 quoting, applied also to `;` so a reader expecting either delimiter splits the same way. */
function csvField(value: string): string {
  return /[",;\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * The CSV template: the header (ending in the version marker) and one example row, CRLF line
 * ends, with a BOM so Excel opens (and saves back) the file as UTF-8.
 */
export function buildCsvTemplate(): string {
  return `\uFEFF${[HEADER, EXAMPLE_ROW].map((fields) => fields.map(csvField).join(',')).join('\r\n')}\r\n`;
}

function sorted(names: Iterable<string>): string[] {
  return [...names].sort((a, b) => a.localeCompare(b));
}

/** The departments and job families the policy's rules name, as written in the rules. */
function policyValues(context: TemplateContext, field: 'department' | 'jobFamily'): string[] {
  return sorted(
    new Set(context.rolePolicy.rules.flatMap((rule) => (rule[field] === undefined ? [] : [rule[field]]))),
  );
}

function allowedValues(column: ColumnName, context: TemplateContext): string {
  const approval = new Set(context.approvalRoles);
  switch (column) {
    case 'roles':
      return sorted(context.knownRoles)
        .map((role) => (approval.has(role) ? `${role} (needs approval)` : role))
        .join(', ');
    case 'groups':
      return sorted(context.knownGroups).join(', ');
    case 'department':
      return policyValues(context, 'department').join(', ');
    case 'job_family':
      return policyValues(context, 'jobFamily').join(', ');
    default:
      return '';
  }
}

function describePolicy(context: TemplateContext): string[] {
  const { rules, fallbackRoles } = context.rolePolicy;
  const lines = rules.map(({ department, jobFamily, roles }) => {
    const match = [
      department === undefined ? undefined : `department "${department}"`,
      jobFamily === undefined ? undefined : `job family "${jobFamily}"`,
    ].filter((part) => part !== undefined);
    return `• ${match.join(' and ')} → ${roles.join(', ')}`;
  });
  lines.push(
    fallbackRoles.length > 0
      ? `• anyone else → ${fallbackRoles.join(', ')}`
      : '• anyone else → no default role: such rows need a role in the roles column, or they are refused',
  );
  return lines;
}

function addUsersSheet(workbook: ExcelJS.Workbook, dropdowns: ReadonlyMap<ColumnName, string>): void {
  const sheet = workbook.addWorksheet(USERS_SHEET, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = [
    ...TEMPLATE_COLUMNS.map((column) => ({
      key: column.name,
      width: Math.max(14, column.name.length + 4, column.example.length + 2),
      // Column-wide text format: cells typed later keep leading zeros, a leading + and the date as typed.
      style: column.keepAsText ? { numFmt: TEXT_FORMAT } : {},
    })),
    { key: 'template_version', width: TEMPLATE_VERSION_HEADER.length + 4 },
  ];
  const header = sheet.addRow(HEADER);
  header.font = { bold: true };
  header.eachCell((cell) => {
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFD9E1F2' } };
  });
  const marker = sheet.getCell(1, HEADER.length);
  marker.font = { italic: true, color: { argb: 'FF7F7F7F' } };
  marker.note = `Leave this column as it is: it tells Muster the file was made from template ${TEMPLATE_VERSION}.`;

  const example = sheet.addRow(EXAMPLE_ROW);
  example.font = { italic: true, color: { argb: 'FF7F7F7F' } };
  sheet.getCell(2, 1).note = 'Example row: replace or delete it before uploading.';

  TEMPLATE_COLUMNS.forEach((column, index) => {
    sheet.getCell(1, index + 1).note = `${column.required ? 'Required. ' : ''}${column.format}`;
  });

  TEMPLATE_COLUMNS.forEach((column, index) => {
    const validation = validationFor(column, dropdowns.get(column.name));
    if (validation === undefined) return;
    for (let row = 2; row <= TEMPLATE_PREPARED_ROWS + 1; row++)
      sheet.getCell(row, index + 1).dataValidation = validation;
  });
}

/** A dropdown where the tenant has names to offer, else a length check where the column has a limit. */
function validationFor(column: TemplateColumn, listRange: string | undefined): DataValidation | undefined {
  if (listRange !== undefined) {
    // Dropdowns suggest, never block: a cell may hold several `;`-separated names.
    return { type: 'list', formulae: [listRange], allowBlank: true, showErrorMessage: false };
  }
  if (column.maxLength === undefined || column.maxItems !== undefined) return undefined;
  return {
    type: 'textLength',
    operator: 'lessThanOrEqual',
    formulae: [column.maxLength],
    allowBlank: true,
    showErrorMessage: true,
    errorStyle: 'warning',
    errorTitle: column.name,
    error: `At most ${column.maxLength} characters; a longer value is refused on upload.`,
  };
}

type DropdownList = {
  readonly column: ColumnName;
  readonly values: readonly string[];
  readonly letter: string;
};

/** The names each dropdown offers, and where in the lists sheet they go. */
function dropdownLists(context: TemplateContext): DropdownList[] {
  const lists: readonly (readonly [ColumnName, readonly string[]])[] = [
    ['roles', sorted(context.knownRoles)],
    ['groups', sorted(context.knownGroups)],
    ['department', policyValues(context, 'department')],
    ['job_family', policyValues(context, 'jobFamily')],
  ];
  return lists.map(([column, values], index) => ({
    column,
    values,
    letter: String.fromCharCode(65 + index),
  }));
}

/** Each non-empty list's range formula, by template column. */
function dropdownRanges(lists: readonly DropdownList[]): Map<ColumnName, string> {
  return new Map(
    lists
      .filter(({ values }) => values.length > 0)
      .map(({ column, values, letter }) => [
        column,
        `${LISTS_SHEET}!$${letter}$2:$${letter}$${values.length + 1}`,
      ]),
  );
}

function addListsSheet(workbook: ExcelJS.Workbook, lists: readonly DropdownList[]): void {
  const sheet = workbook.addWorksheet(LISTS_SHEET, { state: 'hidden' });
  for (const { column, values, letter } of lists) {
    sheet.getCell(`${letter}1`).value = column;
    values.forEach((value, offset) => {
      sheet.getCell(`${letter}${offset + 2}`).value = value;
    });
  }
}

function addInstructionsSheet(workbook: ExcelJS.Workbook, context: TemplateContext): void {
  const sheet = workbook.addWorksheet(INSTRUCTIONS_SHEET);
  sheet.columns = [
    { width: 16 },
    { width: 10 },
    { width: 50 },
    { width: 60 },
    { width: 40 },
    { width: 26 },
    { width: 40 },
  ];
  const paragraph = (text: string, bold = false) => {
    const row = sheet.addRow([text]);
    row.font = { bold };
  };
  paragraph(`Muster bulk user import — template version ${TEMPLATE_VERSION}`, true);
  paragraph(
    `Fill in the ${USERS_SHEET} sheet: one row per person under the header; delete the grey example row.`,
  );
  paragraph(
    `Keep the header's last column (${TEMPLATE_VERSION_HEADER}): it tells Muster which template you used. Newer templates: ${TEMPLATE_DOWNLOAD_PATH}.`,
  );
  paragraph(
    'Upload the workbook, or a CSV saved from it. Nothing is created until the whole file is validated; the report lists every problem with its row, column and a suggestion.',
  );
  paragraph('Blank rows are skipped. Row numbers in the report are the row numbers of this sheet.');
  sheet.addRow([]);

  const tableHeader = sheet.addRow([
    'Column',
    'Required',
    'What it holds',
    'Rules and format',
    'Allowed values',
    'Example',
    'Also recognised headers',
  ]);
  tableHeader.font = { bold: true };
  for (const column of TEMPLATE_COLUMNS) {
    const row = sheet.addRow([
      column.name,
      column.required ? 'yes' : 'no',
      column.description,
      column.format,
      allowedValues(column.name, context),
      column.example,
      column.aliases.join(', '),
    ]);
    row.alignment = { vertical: 'top', wrapText: true };
  }
  sheet.addRow([]);

  const approval = sorted(context.approvalRoles);
  paragraph('Roles that need approval', true);
  paragraph(
    approval.length === 0
      ? 'None: every role is granted when the user is created.'
      : `${approval.join(', ')}: the user is created at once and gets these roles only after a security approver approves them.`,
  );
  sheet.addRow([]);
  paragraph('Default roles (from department and job family)', true);
  paragraph(
    'A rule naming both department and job family beats one naming either; equally specific rules add up. Matching ignores case.',
  );
  for (const line of describePolicy(context)) paragraph(line);
}

/**
 * Writes the XLSX template to `out` (and ends it): a Users sheet with the header, an example row,
 * text-formatted id/phone/date columns, a frozen header and dropdowns; an Instructions sheet
 * describing every column, the tenant's roles, groups, approval roles and default role policy.
 * Users comes first so a reader falling back to the first sheet still finds it.
 */
export async function writeXlsxTemplate(out: Writable, context: TemplateContext): Promise<void> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Muster';
  workbook.title = `Muster bulk user import template ${TEMPLATE_VERSION}`;
  const lists = dropdownLists(context);
  addUsersSheet(workbook, dropdownRanges(lists));
  addInstructionsSheet(workbook, context);
  addListsSheet(workbook, lists);
  await workbook.xlsx.write(out);
}
