import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ImportIssue, ISSUE_CODES } from '../../../../functions/bulk-import/domain/issues';
import { checkRow } from '../../../../functions/bulk-import/domain/row-rules';
import { COLUMN_NAMES } from '../../../../functions/bulk-import/domain/template-columns';
import { HEADER, numbered, validate } from '../domain/validation-fixtures';
import { anyText, HEADER_NAMES } from './arbitraries';

const isError = (found: ImportIssue) => found.severity === 'error';

/** What every issue must be: a known code with its severity, a message and a suggestion to act on. */
function expectWellFormed(found: ImportIssue): void {
  expect(Object.hasOwn(ISSUE_CODES, found.code)).toBe(true);
  expect(found.severity).toBe(ISSUE_CODES[found.code]);
  expect(found.message.trim().length).toBeGreaterThan(10);
  expect(found.suggestion.trim().length).toBeGreaterThan(5);
  // A file-level issue about a header names the header as the file spells it.
  if (found.row !== null && found.column !== null) expect(COLUMN_NAMES).toContain(found.column);
}

/** Text that is sometimes a plausible value of the column and sometimes anything at all. */
const cellValue = fc.oneof(
  anyText,
  fc.constantFrom(
    'ada@example.com',
    ' Ada@Example.COM ',
    'ana+it@corp.com',
    'pаypal@example.com',
    'ana＠corp.com',
    '+44 7911 123456',
    'en_GB',
    '2026-02-30',
    '03/04/2026',
    'operator;tenant_admin',
    'eng;london',
    '=HYPERLINK("http://x")',
    'x'.repeat(300),
  ),
);

const anyColumnValues = fc.dictionary(fc.constantFrom(...COLUMN_NAMES), cellValue, {
  maxKeys: COLUMN_NAMES.length,
});

describe('checkRow, for any cells', () => {
  it('never throws, and says why with a well-formed issue whenever it keeps a row out', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 100_001 }), anyColumnValues, (row, values) => {
        const checked = checkRow(row, values);
        for (const found of checked.issues) {
          expectWellFormed(found);
          expect(found.row).toBe(row);
        }
        // A row with no error of its own has a (normalised) email: it is a person to create.
        if (!checked.issues.some(isError)) expect(checked.fields.email).toMatch(/^[^\s@A-Z]+@[^\s@A-Z]+$/);
        if (checked.fields.email === undefined) expect(checked.issues.some(isError)).toBe(true);
      }),
      { numRuns: 1_000 },
    );
  }, 20_000);
});

/** A header of known names and aliases in any order, now and then without an email column or with one twice. */
const anyHeader = fc.array(fc.constantFrom(...HEADER_NAMES), { minLength: 1, maxLength: 12 });

const anySheet = fc
  .tuple(anyHeader, fc.array(fc.array(cellValue, { maxLength: 14 }), { maxLength: 25 }))
  .map(([header, rows]) => numbered([header, ...rows]));

describe('validateImportFile, for any sheet', () => {
  it('never throws, accounts for every row once and lets through exactly the rows without an error', async () => {
    await fc.assert(
      fc.asyncProperty(anySheet, async (records) => {
        const { outcome, rows, issues } = await validate(records);
        for (const found of issues) expectWellFormed(found);
        if (outcome.rejected) {
          expect(rows).toEqual([]);
          expect(issues.some((found) => found.row === null && isError(found))).toBe(true);
          return;
        }
        // The header is the first non-blank record; blank rows are not rows.
        const headerIndex = records.findIndex((record) => record.cells.some((cell) => cell.trim() !== ''));
        const counted = records
          .slice(headerIndex + 1)
          .filter((record) => record.cells.some((cell) => cell.trim() !== ''));
        expect(outcome.total).toBe(counted.length);
        expect(outcome.valid + outcome.invalid).toBe(outcome.total);
        const rowsWithErrors = new Set(issues.filter(isError).map((found) => found.row));
        const expectedValid = counted.map((record) => record.row).filter((row) => !rowsWithErrors.has(row));
        expect(rows.map((row) => row.row)).toEqual(expectedValid);
        expect(outcome.valid).toBe(expectedValid.length);
        const rowNumbers = new Set(counted.map((record) => record.row));
        for (const found of issues) if (found.row !== null) expect(rowNumbers.has(found.row)).toBe(true);
      }),
      { numRuns: 150 },
    );
  }, 20_000);
});

const localPart = fc
  .array(fc.stringMatching(/^[a-z0-9_-]{1,8}$/), { minLength: 1, maxLength: 3 })
  .chain((atoms) =>
    fc.option(fc.stringMatching(/^[a-z0-9]{1,6}$/), { nil: undefined }).map((tag) =>
      // Plus-addressing: a mailbox of its own, kept as written.
      tag === undefined ? atoms.join('.') : `${atoms.join('.')}+${tag}`,
    ),
  );
const domain = fc
  .tuple(
    fc.array(fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/), { minLength: 1, maxLength: 3 }),
    fc.constantFrom('com', 'io', 'co.uk', 'example', 'xn--p1ai'),
  )
  .map(([labels, top]) => `${labels.join('.')}.${top}`);
const validEmail = fc
  .tuple(localPart, domain, fc.boolean())
  .map(([local, host, shout]) => (shout ? `${local}@${host}`.toUpperCase() : `${local}@${host}`));

const nameText = fc
  .string({
    unit: fc.constantFrom('a', 'Z', 'é', 'ß', 'Ł', 'ö', 'ñ', 'ç', '李', 'محمد', "'", '-', ' ', '='),
    minLength: 1,
    maxLength: 40,
  })
  .filter((text) => text.trim() !== '');

const validPerson = fc.record({
  given_name: nameText,
  family_name: nameText,
  department: fc.constantFrom('Engineering', 'Sales', 'R&D "Labs"', ''),
  job_family: fc.constantFrom('Software', '=SUM(A1)', ''),
  phone: fc.constantFrom('+44 7911 123456', '+1 415 555 2671', '+49 30 901820', '+81 3-1234-5678', ''),
  locale: fc.constantFrom('en-GB', 'fr', 'de_DE', 'pt-BR', ''),
  roles: fc.constantFrom('operator', 'member', ''),
  groups: fc.constantFrom('eng', 'london', 'ENG;london', ''),
  start_date: fc
    .date({
      min: new Date('2000-01-01T00:00:00Z'),
      max: new Date('2035-12-31T00:00:00Z'),
      noInvalidDate: true,
    })
    .map((date) => date.toISOString().slice(0, 10)),
});

/** The text a name cell is stored as: line breaks and runs of spaces collapsed, trimmed, composed. */
const storedText = (raw: string) => raw.replace(/\s+/gu, ' ').trim().normalize('NFC');

describe('validateImportFile, for valid rows', () => {
  it('accepts every one, as written (normalised), plus-addressed mailboxes as mailboxes of their own', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(validEmail, { minLength: 1, maxLength: 12, selector: (email) => email.toLowerCase() }),
        fc.array(validPerson, { minLength: 12, maxLength: 12 }),
        async (emails, people) => {
          const sheet = emails.map((email, index) => {
            const person = people[index] ?? people[0];
            return HEADER.map((column) => {
              if (column === 'email') return email;
              if (column === 'employee_id') return `E${index}`;
              if (column === 'manager_email') return index > 0 ? (emails[0] ?? '') : '';
              return person?.[column] ?? '';
            });
          });
          const { outcome, rows, issues } = await validate(numbered([[...HEADER], ...sheet]));
          expect(issues.filter(isError)).toEqual([]);
          expect(outcome).toMatchObject({
            total: emails.length,
            valid: emails.length,
            invalid: 0,
            rejected: false,
          });
          expect(rows.map((row) => row.email)).toEqual(emails.map((email) => email.toLowerCase()));
          expect(rows.map((row) => row.givenName)).toEqual(
            emails.map((_, index) => storedText(people[index]?.given_name ?? '')),
          );
          expect(rows.map((row) => row.row)).toEqual(emails.map((_, index) => index + 2));
        },
      ),
      { numRuns: 25 },
    );
  }, 20_000);
});
