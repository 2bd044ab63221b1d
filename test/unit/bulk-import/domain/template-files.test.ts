import { PassThrough } from 'node:stream';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { columnValues, mapHeader } from '../../../../functions/bulk-import/domain/header-mapping';
import { checkRow } from '../../../../functions/bulk-import/domain/row-rules';
import { COLUMN_NAMES, TEMPLATE_VERSION } from '../../../../functions/bulk-import/domain/template-columns';
import {
  buildCsvTemplate,
  INSTRUCTIONS_SHEET,
  TEMPLATE_PREPARED_ROWS,
  type TemplateContext,
  USERS_SHEET,
  writeXlsxTemplate,
} from '../../../../functions/bulk-import/domain/template-files';

const CONTEXT: TemplateContext = {
  knownRoles: new Set(['member', 'operator', 'tenant_admin']),
  knownGroups: new Set(['london', 'engineering']),
  approvalRoles: new Set(['tenant_admin']),
  rolePolicy: {
    rules: [
      { department: 'Engineering', roles: ['operator'] },
      { department: 'Engineering', jobFamily: 'Management', roles: ['operator', 'member'] },
      { jobFamily: 'Support', roles: ['member'] },
    ],
    fallbackRoles: ['member'],
  },
};

/** Writes the template into a stream that exceljs reads back at the same time. */
async function readBack(context: TemplateContext): Promise<ExcelJS.Workbook> {
  const out = new PassThrough();
  const workbook = new ExcelJS.Workbook();
  await Promise.all([writeXlsxTemplate(out, context), workbook.xlsx.read(out)]);
  return workbook;
}

async function xlsxTemplate(
  context: TemplateContext = CONTEXT,
): Promise<(name: string) => ExcelJS.Worksheet> {
  const workbook = await readBack(context);
  return (name) => {
    const sheet = workbook.getWorksheet(name);
    if (sheet === undefined) throw new Error(`no sheet ${name}`);
    return sheet;
  };
}

function texts(row: ExcelJS.Row): string[] {
  const values: string[] = [];
  row.eachCell({ includeEmpty: true }, (cell) => {
    values.push(cell.text);
  });
  return values;
}

describe('buildCsvTemplate', () => {
  const csv = buildCsvTemplate();
  const [header = [], example = []] = z.array(z.array(z.string())).parse(parse(csv, { bom: true }));

  it('starts with a BOM and ends every line with CRLF', () => {
    expect(csv.startsWith('\uFEFF')).toBe(true);
    expect(csv.split('\r\n')).toHaveLength(3);
    expect(csv.endsWith('\r\n')).toBe(true);
  });

  it('has the template header with the version marker last', () => {
    expect(header).toEqual([...COLUMN_NAMES, `template_version:${TEMPLATE_VERSION}`]);
    const mapping = mapHeader(header);
    expect(mapping.issues).toEqual([]);
    expect(mapping.templateVersion).toBe(TEMPLATE_VERSION);
  });

  it('has an example row that passes the row rules, quoting the ;-list', () => {
    expect(csv).toContain('"engineering;london"');
    expect(checkRow(2, columnValues(mapHeader(header), example)).issues).toEqual([]);
  });
});

describe('writeXlsxTemplate', () => {
  it('puts the Users sheet first, then Instructions, and hides the dropdown lists', async () => {
    const workbook = await readBack(CONTEXT);
    expect(workbook.worksheets.map((sheet) => [sheet.name, sheet.state])).toEqual([
      [USERS_SHEET, 'visible'],
      [INSTRUCTIONS_SHEET, 'visible'],
      ['Lists', 'hidden'],
    ]);
  });

  it('has the header with the version marker, a valid example row and a frozen header', async () => {
    const users = (await xlsxTemplate())(USERS_SHEET);
    const header = texts(users.getRow(1));
    expect(header).toEqual([...COLUMN_NAMES, `template_version:${TEMPLATE_VERSION}`]);
    expect(mapHeader(header).issues).toEqual([]);
    const values = columnValues(mapHeader(header), texts(users.getRow(2)));
    expect(values.employee_id).toBe('000123');
    expect(checkRow(2, values).issues).toEqual([]);
    expect(users.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
  });

  it('formats the id, phone and date columns as text, down the whole column', async () => {
    const users = (await xlsxTemplate())(USERS_SHEET);
    for (const name of ['employee_id', 'phone', 'start_date'] as const) {
      const column = COLUMN_NAMES.indexOf(name) + 1;
      expect(users.getColumn(column).numFmt, name).toBe('@');
      expect(users.getCell(5000, column).numFmt, name).toBe('@');
    }
    expect(users.getColumn(COLUMN_NAMES.indexOf('email') + 1).numFmt).toBeUndefined();
  });

  it('explains each column in a header note', async () => {
    const users = (await xlsxTemplate())(USERS_SHEET);
    expect(JSON.stringify(users.getCell(1, 1).note)).toContain('Required.');
    expect(JSON.stringify(users.getCell(1, COLUMN_NAMES.length + 1).note)).toContain(
      'Leave this column as it is',
    );
  });

  it('offers dropdowns of roles, groups, departments and job families that never block typing', async () => {
    const users = (await xlsxTemplate())(USERS_SHEET);
    const validationAt = (name: (typeof COLUMN_NAMES)[number], row: number) =>
      users.getCell(row, COLUMN_NAMES.indexOf(name) + 1).dataValidation;
    expect(validationAt('roles', 2)).toMatchObject({ type: 'list', formulae: ['Lists!$A$2:$A$4'] });
    expect(validationAt('roles', 2)?.showErrorMessage).toBeFalsy();
    expect(validationAt('groups', TEMPLATE_PREPARED_ROWS + 1)).toMatchObject({
      formulae: ['Lists!$B$2:$B$3'],
    });
    expect(validationAt('department', 10)).toMatchObject({ formulae: ['Lists!$C$2:$C$2'] });
    expect(validationAt('job_family', 10)).toMatchObject({ formulae: ['Lists!$D$2:$D$3'] });
    expect(validationAt('given_name', 10)).toMatchObject({
      type: 'textLength',
      operator: 'lessThanOrEqual',
      formulae: [100],
      errorStyle: 'warning',
    });
    expect(validationAt('phone', 10)).toBeUndefined();
  });

  it('leaves out a dropdown with nothing to offer', async () => {
    const users = (await xlsxTemplate({ ...CONTEXT, knownGroups: new Set() }))(USERS_SHEET);
    expect(users.getCell(2, COLUMN_NAMES.indexOf('groups') + 1).dataValidation).toBeUndefined();
  });

  it('fills the lists sheet in the order the dropdowns refer to', async () => {
    const lists = (await xlsxTemplate())('Lists');
    expect(lists.getColumn(1).values.slice(1)).toEqual(['roles', 'member', 'operator', 'tenant_admin']);
    expect(lists.getColumn(2).values.slice(1)).toEqual(['groups', 'engineering', 'london']);
    expect(lists.getColumn(3).values.slice(1)).toEqual(['department', 'Engineering']);
    expect(lists.getColumn(4).values.slice(1)).toEqual(['job_family', 'Management', 'Support']);
  });

  it('describes every column, the approval roles, the policy and the version on the Instructions sheet', async () => {
    const instructions = (await xlsxTemplate())(INSTRUCTIONS_SHEET);
    const lines: string[][] = [];
    instructions.eachRow((row) => {
      lines.push(texts(row));
    });
    const text = lines.map((line) => line.join(' | ')).join('\n');
    expect(text).toContain(`template version ${TEMPLATE_VERSION}`);
    for (const name of COLUMN_NAMES)
      expect(
        lines.some((line) => line[0] === name),
        name,
      ).toBe(true);
    const emailLine = lines.find((line) => line[0] === 'email');
    expect(emailLine?.[1]).toBe('yes');
    expect(emailLine?.[6]).toContain('work email');
    const rolesLine = lines.find((line) => line[0] === 'roles');
    expect(rolesLine?.[4]).toBe('member, operator, tenant_admin (needs approval)');
    expect(text).toContain(
      'tenant_admin: the user is created at once and gets these roles only after a security approver approves them.',
    );
    expect(text).toContain('• department "Engineering" → operator');
    expect(text).toContain('• department "Engineering" and job family "Management" → operator, member');
    expect(text).toContain('• job family "Support" → member');
    expect(text).toContain('• anyone else → member');
  });

  it('says when the policy has no fallback and nothing needs approval', async () => {
    const instructions = (
      await xlsxTemplate({
        ...CONTEXT,
        approvalRoles: new Set(),
        rolePolicy: { rules: [], fallbackRoles: [] },
      })
    )(INSTRUCTIONS_SHEET);
    const text: string[] = [];
    instructions.eachRow((row) => {
      text.push(texts(row).join(' '));
    });
    expect(text).toContain('None: every role is granted when the user is created.');
    expect(text).toContain(
      '• anyone else → no default role: such rows need a role in the roles column, or they are refused',
    );
  });
});
