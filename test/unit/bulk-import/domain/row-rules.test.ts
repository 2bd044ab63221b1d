import { describe, expect, it } from 'vitest';
import { checkRow } from '../../../../functions/bulk-import/domain/row-rules';

const ROW = 7;

describe('checkRow', () => {
  it('normalises every column of a clean row', () => {
    const check = checkRow(ROW, {
      email: '  Ada.Lovelace@Example.COM ',
      given_name: ' Ada ',
      family_name: 'Love\nlace',
      display_name: 'Ada   Lovelace',
      employee_id: '000123',
      department: 'Engineering',
      job_family: 'Software Engineering',
      phone: '07911 123456',
      manager_email: 'Grace@Example.com',
      locale: 'en_gb',
      roles: 'Operator, member;operator',
      groups: 'eng; London;ENG',
      start_date: '2026-01-15',
    });
    expect(check).toEqual({
      fields: {
        email: 'ada.lovelace@example.com',
        givenName: 'Ada',
        familyName: 'Love lace',
        displayName: 'Ada Lovelace',
        employeeId: '000123',
        department: 'Engineering',
        jobFamily: 'Software Engineering',
        phone: '+447911123456',
        managerEmail: 'grace@example.com',
        locale: 'en-GB',
        startDate: '2026-01-15',
      },
      requestedRoles: ['operator', 'member'],
      requestedGroups: ['eng', 'London'],
      issues: [],
    });
  });

  it('leaves blank optional cells out', () => {
    expect(checkRow(ROW, { email: 'a@example.com', given_name: '  ', phone: '', roles: ' ; ' })).toEqual({
      fields: { email: 'a@example.com' },
      requestedRoles: [],
      requestedGroups: [],
      issues: [],
    });
  });

  it('composes accents so the same name is stored the same way', () => {
    expect(checkRow(ROW, { email: 'a@example.com', given_name: 'Zoe\u0308' }).fields.givenName).toBe(
      'Zo\u00eb',
    );
  });

  it('requires the email', () => {
    expect(checkRow(ROW, { email: '  ', given_name: 'Ada' }).issues).toEqual([
      {
        row: ROW,
        column: 'email',
        code: 'REQUIRED',
        severity: 'error',
        message: "email is empty; every row needs the person's work email.",
        suggestion: 'Fill in the work email, or delete the row if it is not a person.',
      },
    ]);
    expect(checkRow(ROW, {}).issues.map((found) => found.code)).toEqual(['REQUIRED']);
  });

  it('refuses an invalid email, offering the evident correction', () => {
    expect(checkRow(ROW, { email: 'Ada Lovelace <ada@example.com>' }).issues).toEqual([
      {
        row: ROW,
        column: 'email',
        code: 'INVALID_EMAIL',
        severity: 'error',
        message: '"Ada Lovelace <ada@example.com>" is not a valid email address: it contains a space.',
        suggestion: 'Did you mean ada@example.com?',
      },
    ]);
    expect(checkRow(ROW, { email: 'ada' }).issues[0]?.suggestion).toBe(
      'Write a single address such as name@company.com.',
    );
  });

  it('refuses an over-long email as TOO_LONG', () => {
    const email = `${'a'.repeat(60)}@${'b'.repeat(200)}.com`;
    expect(checkRow(ROW, { email }).issues).toEqual([
      {
        row: ROW,
        column: 'email',
        code: 'TOO_LONG',
        severity: 'error',
        message: `email is ${email.length} characters long; an email address has at most 254.`,
        suggestion: 'Check that the cell holds a single address.',
      },
    ]);
  });

  it('checks the manager email like the email, without requiring it', () => {
    expect(checkRow(ROW, { email: 'a@example.com', manager_email: 'boss@example' }).issues).toEqual([
      {
        row: ROW,
        column: 'manager_email',
        code: 'INVALID_EMAIL',
        severity: 'error',
        message:
          '"boss@example" is not a valid email address: its domain "example" has no dot (e.g. company.com).',
        suggestion: 'Write a single address such as name@company.com.',
      },
    ]);
  });

  it.each([
    ['given_name', 100],
    ['family_name', 100],
    ['display_name', 256],
    ['employee_id', 64],
    ['department', 128],
    ['job_family', 128],
  ] as const)('limits %s to %i characters (counting characters, not UTF-16 units)', (column, limit) => {
    const atLimit = '😀'.repeat(limit);
    expect(checkRow(ROW, { email: 'a@example.com', [column]: atLimit }).issues).toEqual([]);
    expect(checkRow(ROW, { email: 'a@example.com', [column]: `${atLimit}x` }).issues).toEqual([
      {
        row: ROW,
        column,
        code: 'TOO_LONG',
        severity: 'error',
        message: `${column} is ${limit + 1} characters long; at most ${limit} are allowed.`,
        suggestion: `Shorten it to ${limit} characters or fewer.`,
      },
    ]);
  });

  it('refuses control characters and bidi overrides in text', () => {
    expect(checkRow(ROW, { email: 'a@example.com', family_name: 'Smith\u0007' }).issues).toEqual([
      {
        row: ROW,
        column: 'family_name',
        code: 'INVALID_CHARACTERS',
        severity: 'error',
        message: 'family_name "Smith�" contains an invisible character (U+0007).',
        suggestion: 'Retype the value; such characters usually come from copying out of another program.',
      },
    ]);
    const spoofed = checkRow(ROW, { email: 'a@example.com', display_name: 'Ada \u202eecalevol' });
    expect(spoofed.issues.map((found) => [found.code, found.column])).toEqual([
      ['INVALID_CHARACTERS', 'display_name'],
    ]);
  });

  it('refuses an invalid phone with the reason and a fix', () => {
    expect(checkRow(ROW, { email: 'a@example.com', phone: '07911 123456' }).issues).toEqual([
      {
        row: ROW,
        column: 'phone',
        code: 'INVALID_PHONE',
        severity: 'error',
        message: 'phone "07911 123456" has no country code.',
        suggestion:
          "Write it in international format with + and the country code, e.g. +44 7911 123456. A national number is read only when the row's locale has a region, e.g. en-GB.",
      },
    ]);
  });

  it("reads a national phone number with the region of the row's locale", () => {
    expect(checkRow(ROW, { email: 'a@example.com', phone: '030 901820', locale: 'de-DE' }).fields.phone).toBe(
      '+4930901820',
    );
  });

  it('refuses an invalid locale', () => {
    expect(checkRow(ROW, { email: 'a@example.com', locale: 'English' }).issues).toEqual([
      {
        row: ROW,
        column: 'locale',
        code: 'INVALID_LOCALE',
        severity: 'error',
        message: 'locale "English" is a language name, not a language tag.',
        suggestion: 'Did you mean en? Use a language tag such as en-GB, de-DE, fr or pt-BR.',
      },
    ]);
  });

  it('refuses an over-long locale as TOO_LONG', () => {
    const issues = checkRow(ROW, { email: 'a@example.com', locale: `en-${'x'.repeat(40)}` }).issues;
    expect(issues.map((found) => [found.code, found.column])).toEqual([['TOO_LONG', 'locale']]);
  });

  it('refuses an invalid start date', () => {
    expect(checkRow(ROW, { email: 'a@example.com', start_date: '2026-02-30' }).issues).toEqual([
      {
        row: ROW,
        column: 'start_date',
        code: 'INVALID_DATE',
        severity: 'error',
        message: 'start_date "2026-02-30" is not a date: February 2026 has 28 days.',
        suggestion: 'Check the day. Use YYYY-MM-DD, e.g. 2026-01-15.',
      },
    ]);
  });

  it('splits groups on ; only, since group names may hold commas', () => {
    expect(checkRow(ROW, { email: 'a@example.com', groups: 'Sales, EMEA;eng' }).requestedGroups).toEqual([
      'Sales, EMEA',
      'eng',
    ]);
  });

  it('limits the number of roles and groups, and each name', () => {
    const roles = Array.from({ length: 21 }, (_, index) => `role${index}`).join(';');
    expect(checkRow(ROW, { email: 'a@example.com', roles }).issues).toEqual([
      {
        row: ROW,
        column: 'roles',
        code: 'TOO_LONG',
        severity: 'error',
        message: 'roles lists 21 entries; at most 20 are allowed.',
        suggestion: 'Keep at most 20 here and add the rest after the import.',
      },
    ]);
    const groups = Array.from({ length: 51 }, (_, index) => `g${index}`).join(';');
    expect(checkRow(ROW, { email: 'a@example.com', groups }).issues[0]?.message).toBe(
      'groups lists 51 entries; at most 50 are allowed.',
    );
    expect(checkRow(ROW, { email: 'a@example.com', roles: 'r'.repeat(65) }).issues[0]).toMatchObject({
      column: 'roles',
      code: 'TOO_LONG',
      message: 'roles entry is 65 characters long; at most 64 are allowed.',
    });
  });

  it('reports every problem of a row, in column order', () => {
    const check = checkRow(ROW, {
      start_date: 'soon',
      locale: 'xx',
      phone: 'call me',
      email: 'nope',
      given_name: 'x'.repeat(101),
    });
    expect(check.issues.map((found) => [found.column, found.code])).toEqual([
      ['email', 'INVALID_EMAIL'],
      ['given_name', 'TOO_LONG'],
      ['phone', 'INVALID_PHONE'],
      ['locale', 'INVALID_LOCALE'],
      ['start_date', 'INVALID_DATE'],
    ]);
    expect(check.issues.every((found) => found.row === ROW && found.suggestion !== '')).toBe(true);
  });
});
