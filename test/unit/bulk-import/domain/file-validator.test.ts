import { describe, expect, it } from 'vitest';
import { ISSUE_CODES, type IssueCode } from '../../../../functions/bulk-import/domain/issues';
import { TEMPLATE_VERSION } from '../../../../functions/bulk-import/domain/template-columns';
import { FileRejectedError, type SheetRecord } from '../../../../functions/bulk-import/parsing/sheet-record';
import {
  cells,
  codesOf,
  directoryWith,
  HEADER,
  numbered,
  SETTINGS,
  scratchDir,
  scratchFiles,
  sheet,
  validate,
} from './validation-fixtures';

describe('validateImportFile: clean files', () => {
  it('emits each row normalised, with default and requested roles, and counts it', async () => {
    const { outcome, rows, issues } = await validate(
      sheet(
        {
          email: ' Ada@Example.com ',
          given_name: 'Ada',
          family_name: 'Lovelace',
          employee_id: '000123',
          department: 'engineering',
          job_family: 'Software',
          phone: '+44 7911 123456',
          manager_email: 'grace@example.com',
          locale: 'en_GB',
          roles: 'operator',
          groups: 'ENG;london',
          start_date: '2026-01-15',
        },
        { email: 'grace@example.com' },
      ),
    );
    expect(issues).toEqual([]);
    expect(outcome).toEqual({
      total: 2,
      valid: 2,
      invalid: 0,
      warnings: 0,
      rejected: false,
      templateVersion: undefined,
    });
    expect(rows).toEqual([
      {
        row: 2,
        email: 'ada@example.com',
        givenName: 'Ada',
        familyName: 'Lovelace',
        employeeId: '000123',
        department: 'engineering',
        jobFamily: 'Software',
        phone: '+447911123456',
        managerEmail: 'grace@example.com',
        locale: 'en-GB',
        startDate: '2026-01-15',
        groups: ['eng', 'london'],
        roles: ['developer', 'operator'],
        rolesPendingApproval: [],
      },
      { row: 3, email: 'grace@example.com', groups: [], roles: ['member'], rolesPendingApproval: [] },
    ]);
  });

  it('reports the template version it found', async () => {
    const records = numbered([
      [...HEADER, `template_version:${TEMPLATE_VERSION}`],
      cells({ email: 'a@example.com' }),
    ]);
    const { outcome, issues } = await validate(records);
    expect(outcome.templateVersion).toBe(TEMPLATE_VERSION);
    expect(issues).toEqual([]);
  });

  it('maps aliased headers from an HR export', async () => {
    const { rows, issues } = await validate(
      numbered([
        ['E-mail', 'First Name', 'Surname', 'Mobile', 'Hire Date', 'Dept'],
        ['ada@example.com', 'Ada', 'Lovelace', '+44 7911 123456', '2026-01-15', 'Engineering'],
      ]),
    );
    expect(issues).toEqual([]);
    expect(rows[0]).toMatchObject({
      email: 'ada@example.com',
      givenName: 'Ada',
      familyName: 'Lovelace',
      phone: '+447911123456',
      startDate: '2026-01-15',
      department: 'Engineering',
      roles: ['developer'],
    });
  });
});

describe('validateImportFile: blank and ragged rows', () => {
  it('skips blank rows without counting them and keeps the reader’s row numbers', async () => {
    const records: SheetRecord[] = [
      { row: 1, cells: [] },
      { row: 2, cells: ['  ', ''] },
      { row: 3, cells: [...HEADER] },
      { row: 4, cells: cells({ email: 'a@example.com' }) },
      { row: 5, cells: [] },
      { row: 6, cells: ['', ' ', ''] },
      { row: 7, cells: cells({ email: 'not-an-email' }) },
      { row: 9, cells: cells({ email: 'c@example.com', phone: '123' }) },
    ];
    const { outcome, issues, rows } = await validate(records);
    expect(outcome).toMatchObject({ total: 3, valid: 1, invalid: 2 });
    expect(rows.map((row) => row.row)).toEqual([4]);
    expect(issues.map((found) => [found.row, found.column, found.code])).toEqual([
      [7, 'email', 'INVALID_EMAIL'],
      [9, 'phone', 'INVALID_PHONE'],
    ]);
  });

  it('reads short rows as blank cells', async () => {
    const { outcome } = await validate(numbered([[...HEADER], ['a@example.com']]));
    expect(outcome).toMatchObject({ total: 1, valid: 1 });
  });

  it('ignores blank cells past the header (Excel pads rows) but refuses a value there', async () => {
    const { outcome, issues, rows } = await validate(
      numbered([
        ['email', 'given_name', 'family_name'],
        ['a@example.com', 'Ada', 'Lovelace', '', ' '],
        ['b@example.com', 'Smith', ' Jr.', 'Bob', 'extra'],
        ['b@example.com', 'Bob', 'Smith'],
      ]),
    );
    expect(outcome).toMatchObject({ total: 3, valid: 1, invalid: 2 });
    expect(rows.map((row) => row.row)).toEqual([2]);
    expect(issues).toEqual([
      {
        row: 3,
        column: null,
        code: 'MALFORMED_ROW',
        severity: 'error',
        message:
          'The row has a value in column D ("Bob"), past the header\'s last column (C); its other values are probably shifted, so they were not checked.',
        suggestion:
          'Put quotes around values that contain the delimiter (e.g. "Smith, Jr."), or give the extra column a header.',
      },
      // The malformed row's email still counts: the other copy is a duplicate of it.
      expect.objectContaining({ row: 4, column: 'email', code: 'DUPLICATE_IN_FILE' }),
    ]);
  });

  it('warns once about values under a column without a header, naming the first row', async () => {
    const { outcome, issues } = await validate(
      numbered([
        ['email', '', 'given_name', ''],
        ['a@example.com', '', 'Ada'],
        ['b@example.com', 'note', 'Bob'],
        ['c@example.com', 'other note', 'Cy'],
      ]),
    );
    expect(outcome).toMatchObject({ total: 3, valid: 3, warnings: 1 });
    expect(issues).toEqual([
      {
        row: null,
        column: null,
        code: 'UNKNOWN_COLUMN',
        severity: 'warning',
        message: 'Column B has no header, so its values are ignored (the first is in row 3).',
        suggestion: 'Give column B a header from the template (e.g. department), or delete its values.',
      },
    ]);
  });
});

describe('validateImportFile: file-level problems', () => {
  it('stops at a missing email column with one clear error, reading no data row', async () => {
    let pulled = 0;
    async function* records() {
      for (const record of numbered([
        ['First Name', 'Last Name'],
        ['Ada', 'Lovelace'],
        ['Bob', 'Smith'],
      ])) {
        pulled += 1;
        yield record;
      }
    }
    const { outcome, issues, rows } = await validate(records());
    expect(pulled).toBe(1);
    expect(outcome).toEqual({
      total: 0,
      valid: 0,
      invalid: 0,
      warnings: 0,
      rejected: true,
      templateVersion: undefined,
    });
    expect(rows).toEqual([]);
    expect(issues.map((found) => [found.row, found.code])).toEqual([[null, 'MISSING_REQUIRED_COLUMN']]);
  });

  it('rejects a file with a column given twice, reporting the other header issues with it', async () => {
    const { outcome, issues } = await validate(
      numbered([
        ['email', 'First Name', 'given_name', 'Notes'],
        ['a@example.com', 'A', 'B', ''],
      ]),
    );
    expect(outcome.rejected).toBe(true);
    expect(issues.map((found) => found.code)).toEqual(['DUPLICATE_COLUMN', 'UNKNOWN_COLUMN']);
  });

  it('warns about an old template and still validates the rows', async () => {
    const { outcome, issues, rows } = await validate(
      numbered([
        ['email', 'template_version:2025.05'],
        ['a@example.com', ''],
      ]),
    );
    expect(outcome).toMatchObject({
      total: 1,
      valid: 1,
      warnings: 1,
      rejected: false,
      templateVersion: '2025.05',
    });
    expect(issues.map((found) => [found.row, found.code, found.severity])).toEqual([
      [null, 'OLD_TEMPLATE_VERSION', 'warning'],
    ]);
    expect(rows).toHaveLength(1);
  });

  it('refuses an empty file', async () => {
    const { outcome, issues } = await validate([{ row: 1, cells: [''] }]);
    expect(outcome.rejected).toBe(true);
    expect(issues).toEqual([
      {
        row: null,
        column: null,
        code: 'EMPTY_FILE',
        severity: 'error',
        message: 'The file has no rows at all.',
        suggestion:
          'Fill in the template (/internal/iam/users/bulk-import/template) with one row per user and upload it again.',
      },
    ]);
  });

  it('refuses a file with a header and no user rows', async () => {
    const { outcome, issues } = await validate(numbered([[...HEADER], [], ['', '']]));
    expect(outcome).toMatchObject({ total: 0, rejected: true });
    expect(issues.map((found) => [found.code, found.message])).toEqual([
      ['EMPTY_FILE', 'The file has a header row but no user rows.'],
    ]);
  });

  it('stops reading one record past the row limit and rejects the file', async () => {
    let pulled = 0;
    async function* endless() {
      yield { row: 1, cells: ['email'] };
      for (let row = 2; row < 10_000_000; row++) {
        pulled += 1;
        yield { row, cells: row % 3 === 0 ? [''] : [`user${row}@example.com`] };
      }
    }
    const { outcome, issues, rows } = await validate(endless(), { settings: { ...SETTINGS, maxRows: 10 } });
    // Ten data rows and the eleventh that crosses the limit, plus the blank rows between them.
    expect(pulled).toBe(16);
    expect(outcome).toEqual({
      total: 0,
      valid: 0,
      invalid: 0,
      warnings: 0,
      rejected: true,
      templateVersion: undefined,
    });
    expect(rows).toEqual([]);
    expect(issues).toEqual([
      {
        row: null,
        column: null,
        code: 'TOO_MANY_ROWS',
        severity: 'error',
        message: 'The file has more than 10 user rows, the limit for one import; reading stopped at row 17.',
        suggestion: 'Split the file into files of at most 10 rows each and import them one after another.',
      },
    ]);
  });

  it('accepts exactly the row limit', async () => {
    const records = numbered([
      ['email'],
      ...Array.from({ length: 10 }, (_, index) => [`u${index}@example.com`]),
    ]);
    const { outcome } = await validate(records, { settings: { ...SETTINGS, maxRows: 10 } });
    expect(outcome).toMatchObject({ total: 10, valid: 10, rejected: false });
  });

  it.each([
    'UNSUPPORTED_FILE_TYPE',
    'MACRO_WORKBOOK',
    'ENCRYPTED_WORKBOOK',
    'CORRUPT_FILE',
    'UNSUPPORTED_ENCODING',
    'EMPTY_FILE',
    'FILE_TOO_LARGE',
  ] as const)("turns the reader's %s rejection into one file-level issue, emitting no row", async (code) => {
    async function* failing() {
      yield { row: 1, cells: ['email', 'Notes'] };
      yield { row: 2, cells: ['a@example.com', ''] };
      throw new FileRejectedError(code, `The file is broken (${code}).`, 'Save it again and re-upload.');
    }
    const { outcome, issues, rows } = await validate(failing());
    expect(outcome).toMatchObject({ total: 0, valid: 0, invalid: 0, rejected: true });
    expect(rows).toEqual([]);
    expect(issues).toEqual([
      expect.objectContaining({ code: 'UNKNOWN_COLUMN' }),
      {
        row: null,
        column: null,
        code,
        severity: 'error',
        message: `The file is broken (${code}).`,
        suggestion: 'Save it again and re-upload.',
      },
    ]);
    expect(outcome.warnings).toBe(1);
  });

  it('lets any other reader failure through, leaving no scratch file behind', async () => {
    async function* failing(): AsyncGenerator<SheetRecord> {
      yield { row: 1, cells: ['email'] };
      yield { row: 2, cells: ['a@example.com'] };
      throw new Error('socket hang up');
    }
    const dir = await scratchDir();
    await expect(validate(failing(), { scratchDir: dir })).rejects.toThrow('socket hang up');
    expect(await scratchFiles(dir)).toEqual([]);
  });
});

describe('validateImportFile: duplicates and existing users', () => {
  it('reports an email duplicate on every copy, naming the others, ignoring case', async () => {
    const { outcome, issues, rows } = await validate(
      sheet(
        { email: 'ann@example.com' },
        { email: 'bob@example.com' },
        { email: 'ANN@example.com ' },
        { email: 'cy@example.com' },
        { email: 'ann@example.com' },
      ),
    );
    expect(outcome).toMatchObject({ total: 5, valid: 2, invalid: 3 });
    expect(rows.map((row) => row.row)).toEqual([3, 5]);
    expect(issues).toEqual([
      {
        row: 2,
        column: 'email',
        code: 'DUPLICATE_IN_FILE',
        severity: 'error',
        message: 'Email ann@example.com is a duplicate of rows 4 and 6.',
        suggestion: 'Remove this row or merge it with rows 4 and 6; only one row per person can be imported.',
      },
      expect.objectContaining({ row: 4, message: 'Email ann@example.com is a duplicate of rows 2 and 6.' }),
      expect.objectContaining({ row: 6, message: 'Email ann@example.com is a duplicate of rows 2 and 4.' }),
    ]);
  });

  it('summarises long duplicate lists', async () => {
    const { issues } = await validate(
      sheet(...Array.from({ length: 8 }, () => ({ email: 'same@example.com' }))),
    );
    expect(issues[0]?.message).toBe(
      'Email same@example.com is a duplicate of rows 3, 4, 5, 6, 7 and 2 more.',
    );
    expect(issues).toHaveLength(8);
  });

  it('reports duplicate employee ids on every copy, compared exactly', async () => {
    const { issues } = await validate(
      sheet(
        { email: 'a@example.com', employee_id: '007' },
        { email: 'b@example.com', employee_id: '7' },
        { email: 'c@example.com', employee_id: '007' },
      ),
    );
    expect(issues).toEqual([
      {
        row: 2,
        column: 'employee_id',
        code: 'DUPLICATE_IN_FILE',
        severity: 'error',
        message: 'Employee id 007 is a duplicate of row 4.',
        suggestion: 'Remove this row or merge it with row 4; only one row per employee id can be imported.',
      },
      expect.objectContaining({
        row: 4,
        column: 'employee_id',
        message: 'Employee id 007 is a duplicate of row 2.',
      }),
    ]);
  });

  it('refuses emails and employee ids that already exist in the tenant', async () => {
    const directory = directoryWith({ emails: ['old@example.com'], employeeIds: ['E1'] });
    const { issues, outcome } = await validate(
      sheet(
        { email: 'Old@example.com' },
        { email: 'new@example.com', employee_id: 'E1' },
        { email: 'ok@example.com' },
      ),
      { directory },
    );
    expect(outcome).toMatchObject({ valid: 1, invalid: 2 });
    expect(issues).toEqual([
      {
        row: 2,
        column: 'email',
        code: 'ALREADY_EXISTS',
        severity: 'error',
        message: 'old@example.com already belongs to a user of this tenant.',
        suggestion:
          'Remove this row; change the existing user in the admin console (PATCH /v1/admin/users/:userId) instead.',
      },
      {
        row: 3,
        column: 'employee_id',
        code: 'ALREADY_EXISTS',
        severity: 'error',
        message: 'Employee id E1 already belongs to a user of this tenant.',
        suggestion: 'Remove this row if the person already has an account, or correct the employee id.',
      },
    ]);
  });

  it('asks the directory in chunks of at most 100 distinct keys, covering every key once', async () => {
    const directory = directoryWith();
    const rows = Array.from({ length: 250 }, (_, index) => ({
      email: `u${index % 230}@example.com`,
      employee_id: `E${index}`,
      manager_email: index === 0 ? 'outside@example.com' : '',
    }));
    await validate(sheet(...rows), { directory });
    const emails = directory.calls.emails.flat();
    expect(directory.calls.emails.every((chunk) => chunk.length <= 100)).toBe(true);
    expect(emails).toHaveLength(231);
    expect(new Set(emails).size).toBe(231);
    expect(emails).toContain('outside@example.com');
    expect(directory.calls.employeeIds.map((chunk) => chunk.length)).toEqual([100, 100, 50]);
  });
});

describe('validateImportFile: managers', () => {
  it('accepts a manager who is an existing user or a valid row of the file, before or after', async () => {
    const { outcome } = await validate(
      sheet(
        { email: 'a@example.com', manager_email: 'boss@example.com' },
        { email: 'b@example.com', manager_email: 'c@example.com' },
        { email: 'c@example.com', manager_email: 'a@example.com' },
      ),
      { directory: directoryWith({ emails: ['boss@example.com'] }) },
    );
    expect(outcome).toMatchObject({ valid: 3, invalid: 0 });
  });

  it('accepts managers who manage each other, and a row that is its own manager', async () => {
    const { outcome } = await validate(
      sheet(
        { email: 'a@example.com', manager_email: 'b@example.com' },
        { email: 'b@example.com', manager_email: 'a@example.com' },
        { email: 'ceo@example.com', manager_email: 'ceo@example.com' },
      ),
    );
    expect(outcome).toMatchObject({ valid: 3, invalid: 0 });
  });

  it('refuses a manager found nowhere', async () => {
    const { issues } = await validate(sheet({ email: 'a@example.com', manager_email: 'ghost@example.com' }));
    expect(issues).toEqual([
      {
        row: 2,
        column: 'manager_email',
        code: 'MANAGER_NOT_FOUND',
        severity: 'error',
        message: 'Manager ghost@example.com is neither a user of this tenant nor in this file.',
        suggestion: 'Correct the address, add a row for ghost@example.com, or leave manager_email empty.',
      },
    ]);
  });

  it('points a misspelt manager domain at the row it probably meant', async () => {
    const { issues } = await validate(
      sheet(
        { email: 'boss@acme.com' },
        { email: 'a@acme.com' },
        { email: 'b@acme.com' },
        { email: 'c@acme.com' },
        { email: 'd@acme.com' },
        { email: 'e@acme.com', manager_email: 'boss@acme.cmo' },
      ),
    );
    expect(issues).toEqual([
      expect.objectContaining({
        row: 7,
        code: 'MANAGER_NOT_FOUND',
        suggestion: 'Did you mean boss@acme.com (row 2)?',
      }),
    ]);
  });

  it('refuses a manager whose row will not be created, and everyone under them in turn', async () => {
    const { issues, outcome } = await validate(
      sheet(
        { email: 'top@example.com', phone: 'nope' },
        { email: 'mid@example.com', manager_email: 'top@example.com' },
        { email: 'low@example.com', manager_email: 'mid@example.com' },
        { email: 'ok@example.com', manager_email: 'ok2@example.com' },
        { email: 'ok2@example.com' },
      ),
    );
    expect(outcome).toMatchObject({ total: 5, valid: 2, invalid: 3 });
    expect(issues).toEqual([
      expect.objectContaining({ row: 2, code: 'INVALID_PHONE' }),
      {
        row: 3,
        column: 'manager_email',
        code: 'MANAGER_NOT_FOUND',
        severity: 'error',
        message: 'Manager top@example.com (row 2) will not be created, because row 2 has errors.',
        suggestion: 'Fix row 2, or use the email of a manager who already has an account.',
      },
      expect.objectContaining({
        row: 4,
        code: 'MANAGER_NOT_FOUND',
        message: 'Manager mid@example.com (row 3) will not be created, because row 3 has errors.',
      }),
    ]);
  });

  it('accepts a manager whose row is invalid only because the manager already exists', async () => {
    const { issues } = await validate(
      sheet({ email: 'boss@example.com' }, { email: 'a@example.com', manager_email: 'boss@example.com' }),
      { directory: directoryWith({ emails: ['boss@example.com'] }) },
    );
    expect(issues.map((found) => [found.row, found.code])).toEqual([[2, 'ALREADY_EXISTS']]);
  });

  it('refuses a manager listed on duplicate rows', async () => {
    const { issues } = await validate(
      sheet(
        { email: 'boss@example.com' },
        { email: 'boss@example.com' },
        { email: 'a@example.com', manager_email: 'boss@example.com' },
      ),
    );
    expect(issues.at(-1)).toEqual({
      row: 4,
      column: 'manager_email',
      code: 'MANAGER_NOT_FOUND',
      severity: 'error',
      message:
        'Manager boss@example.com is in rows 2 and 3, which are duplicates, so that user will not be created.',
      suggestion: 'Keep a single row for boss@example.com.',
    });
  });
});

describe('validateImportFile: roles, groups and warnings', () => {
  it('holds approval roles back as pending and keeps the row valid', async () => {
    const { rows, issues, outcome } = await validate(
      sheet({ email: 'a@example.com', department: 'Engineering', roles: 'tenant_admin;operator' }),
    );
    expect(outcome).toMatchObject({ valid: 1, warnings: 1 });
    expect(rows[0]).toMatchObject({
      roles: ['developer', 'operator'],
      rolesPendingApproval: ['tenant_admin'],
    });
    expect(codesOf(issues, 2)).toEqual(['REQUIRES_APPROVAL']);
  });

  it('refuses unknown roles and groups, and rows with no role at all', async () => {
    const { issues, outcome } = await validate(
      sheet({ email: 'a@example.com', roles: 'wizard', groups: 'nope' }),
      {
        settings: { ...SETTINGS, rolePolicy: { rules: [], fallbackRoles: [] } },
      },
    );
    expect(outcome).toMatchObject({ valid: 0, invalid: 1 });
    expect(codesOf(issues, 2)).toEqual(['UNKNOWN_ROLE', 'POLICY_NO_DEFAULT_ROLE', 'UNKNOWN_GROUP']);
  });

  it('warns about a likely email domain typo without refusing the row', async () => {
    const { issues, outcome } = await validate(
      sheet(
        ...['a', 'b', 'c', 'd', 'e'].map((name) => ({ email: `${name}@acme.com` })),
        { email: 'f@acme.cmo' },
        { email: 'g@gmial.com' },
      ),
    );
    expect(outcome).toMatchObject({ total: 7, valid: 7, warnings: 2 });
    expect(issues).toEqual([
      {
        row: 7,
        column: 'email',
        code: 'EMAIL_DOMAIN_TYPO',
        severity: 'warning',
        message: 'The domain of f@acme.cmo looks like a typo: 5 rows of this file use acme.com.',
        suggestion: 'Did you mean f@acme.com? If the address is right as written, ignore this warning.',
      },
      {
        row: 8,
        column: 'email',
        code: 'EMAIL_DOMAIN_TYPO',
        severity: 'warning',
        message: 'The domain of g@gmial.com looks like a typo of gmail.com.',
        suggestion: 'Did you mean g@gmail.com? If the address is right as written, ignore this warning.',
      },
    ]);
  });
});

describe('validateImportFile: order and the scratch file', () => {
  it('emits file-level issues first, then each row’s issues in row order; writes valid rows in order', async () => {
    const { sequence, issues, rows } = await validate(
      numbered([
        ['email', 'phone', 'Notes'],
        ['a@example.com', '', ''],
        ['b@example.com', 'bad', ''],
        ['a@example.com', '', ''],
        ['d@example.com', '', ''],
      ]),
    );
    expect(sequence).toEqual(['issue:null', 'issue:2', 'issue:3', 'issue:4']);
    expect(rows.map((row) => row.row)).toEqual([5]);
    expect(issues.map((found) => found.code)).toEqual([
      'UNKNOWN_COLUMN',
      'DUPLICATE_IN_FILE',
      'INVALID_PHONE',
      'DUPLICATE_IN_FILE',
    ]);
  });

  it("orders a row's issues by column, its own and cross-row ones together", async () => {
    const { issues } = await validate(
      sheet(
        { email: 'a@example.com', employee_id: 'E1', start_date: 'soon' },
        { email: 'a@example.com', employee_id: 'E1', phone: 'x', manager_email: 'ghost@example.com' },
      ),
    );
    expect(issues.filter((found) => found.row === 3).map((found) => [found.column, found.code])).toEqual([
      ['email', 'DUPLICATE_IN_FILE'],
      ['employee_id', 'DUPLICATE_IN_FILE'],
      ['phone', 'INVALID_PHONE'],
      ['manager_email', 'MANAGER_NOT_FOUND'],
    ]);
  });

  it('streams pass 2 from a scratch file of the issues, which is gone afterwards', async () => {
    const dir = await scratchDir();
    let filesDuringPassTwo: string[] = [];
    await validate(sheet({ email: 'a@example.com', phone: 'bad' }), {
      scratchDir: dir,
      onIssue: async () => {
        filesDuringPassTwo = (await scratchFiles(dir)).filter((file) => file.startsWith('validation-'));
      },
    });
    expect(filesDuringPassTwo).toHaveLength(1);
    expect(filesDuringPassTwo[0]).toMatch(/^validation-.+\.jsonl$/);
    expect(await scratchFiles(dir)).toEqual([]);
  });

  it('reads every record before emitting the first row issue (two passes)', async () => {
    let pulled = 0;
    let pulledWhenFirstIssueEmitted = -1;
    async function* records() {
      for (const record of sheet(
        ...Array.from({ length: 50 }, (_, index) => ({ email: `u${index}@example.com`, phone: 'bad' })),
      )) {
        pulled += 1;
        yield record;
      }
    }
    await validate(records(), {
      onIssue: async () => {
        if (pulledWhenFirstIssueEmitted === -1) pulledWhenFirstIssueEmitted = pulled;
      },
    });
    expect(pulledWhenFirstIssueEmitted).toBe(51);
  });

  it('takes rows out of the valid-rows file when a cross-row check fails them, keeping the others in order', async () => {
    const { rows, outcome } = await validate(
      sheet(
        { email: 'a@example.com' },
        { email: 'dup@example.com' },
        { email: 'b@example.com', manager_email: 'dup@example.com' },
        { email: 'dup@example.com' },
        { email: 'c@example.com', manager_email: 'a@example.com' },
        { email: 'taken@example.com' },
      ),
      { directory: directoryWith({ emails: ['taken@example.com'] }) },
    );
    expect(rows.map((row) => [row.row, row.email])).toEqual([
      [2, 'a@example.com'],
      [6, 'c@example.com'],
    ]);
    expect(outcome).toMatchObject({ total: 6, valid: 2, invalid: 4 });
  });

  it('leaves the valid-rows file empty when the file is rejected after some rows', async () => {
    const { rows, outcome } = await validate(
      sheet(...Array.from({ length: 5 }, (_, index) => ({ email: `u${index}@example.com` }))),
      { settings: { ...SETTINGS, maxRows: 3 } },
    );
    expect(outcome.rejected).toBe(true);
    expect(rows).toEqual([]);
  });

  // Speed is the benchmark's business (npm run bench); this checks a long chain of managers and
  // every row come through whole and in order at a size where quadratic work would show as a timeout.
  it('validates 50,000 generated rows, a 50,000-deep manager chain among them, emitting all in order', async () => {
    const count = 50_000;
    async function* records() {
      yield { row: 1, cells: [...HEADER] };
      for (let index = 0; index < count; index++) {
        yield {
          row: index + 2,
          cells: cells({
            email: `user${index}@example.com`,
            given_name: 'Ada',
            family_name: 'Lovelace',
            employee_id: `E${index}`,
            department: index % 2 === 0 ? 'Engineering' : 'Sales',
            phone: `+44 7911 ${String(100000 + (index % 900000))}`,
            manager_email: index === 0 ? '' : `user${index - 1}@example.com`,
            locale: 'en-GB',
            roles: 'operator',
            groups: 'eng',
            start_date: '2026-01-15',
          }),
        };
      }
    }
    const { outcome, rows } = await validate(records(), { settings: { ...SETTINGS, maxRows: 100_000 } });
    expect(outcome).toMatchObject({ total: count, valid: count, invalid: 0, warnings: 0 });
    expect(rows).toHaveLength(count);
    expect(rows.every((row, index) => row.row === index + 2)).toBe(true);
    expect(rows.at(-1)?.managerEmail).toBe(`user${count - 2}@example.com`);
  }, 60_000);
});

describe('validateImportFile: every code', () => {
  it('produces every row-level code, each on the row and column it is about', async () => {
    const directory = directoryWith({ emails: ['taken@example.com'], employeeIds: ['E-TAKEN'] });
    const { issues } = await validate(
      sheet(
        { email: '', given_name: 'Nameless' },
        { email: 'bad@' },
        { email: 'dup@example.com' },
        { email: 'dup@example.com' },
        { email: 'taken@example.com' },
        { email: 'long@example.com', given_name: 'x'.repeat(101) },
        { email: 'ctrl@example.com', family_name: 'a\u0000b' },
        { email: 'phone@example.com', phone: '12' },
        { email: 'mgr@example.com', manager_email: 'ghost@example.com' },
        { email: 'role@example.com', roles: 'wizard' },
        { email: 'group@example.com', groups: 'nowhere' },
        { email: 'date@example.com', start_date: '2026-02-30' },
        { email: 'locale@example.com', locale: 'xx-QQ' },
        { email: 'approve@example.com', roles: 'tenant_admin' },
        { email: 'id@example.com', employee_id: 'E-TAKEN' },
        ...['p', 'q', 'r', 's', 't'].map((name) => ({ email: `${name}@example.com` })),
        { email: 'typo@exmaple.com' },
      ),
      { directory },
    );
    const expected: [number, string, IssueCode][] = [
      [2, 'email', 'REQUIRED'],
      [3, 'email', 'INVALID_EMAIL'],
      [4, 'email', 'DUPLICATE_IN_FILE'],
      [5, 'email', 'DUPLICATE_IN_FILE'],
      [6, 'email', 'ALREADY_EXISTS'],
      [7, 'given_name', 'TOO_LONG'],
      [8, 'family_name', 'INVALID_CHARACTERS'],
      [9, 'phone', 'INVALID_PHONE'],
      [10, 'manager_email', 'MANAGER_NOT_FOUND'],
      [11, 'roles', 'UNKNOWN_ROLE'],
      [12, 'groups', 'UNKNOWN_GROUP'],
      [13, 'start_date', 'INVALID_DATE'],
      [14, 'locale', 'INVALID_LOCALE'],
      [15, 'roles', 'REQUIRES_APPROVAL'],
      [16, 'employee_id', 'ALREADY_EXISTS'],
      [22, 'email', 'EMAIL_DOMAIN_TYPO'],
    ];
    expect(issues.map((found) => [found.row, found.column, found.code])).toEqual(expected);
    for (const found of issues) {
      expect(found.severity).toBe(ISSUE_CODES[found.code]);
      expect(found.message.length).toBeGreaterThan(20);
      expect(found.suggestion.length).toBeGreaterThan(15);
    }
  });
});
