import { describe, expect, it } from 'vitest';
import {
  columnLetter,
  columnValues,
  mapHeader,
} from '../../../../functions/bulk-import/domain/header-mapping';
import {
  COLUMN_NAMES,
  TEMPLATE_DOWNLOAD_PATH,
  TEMPLATE_VERSION,
  TEMPLATE_VERSION_HEADER,
} from '../../../../functions/bulk-import/domain/template-columns';

describe('columnLetter', () => {
  it('names positions as spreadsheets do', () => {
    expect([0, 1, 25, 26, 27, 51, 52, 701, 702].map(columnLetter)).toEqual([
      'A',
      'B',
      'Z',
      'AA',
      'AB',
      'AZ',
      'BA',
      'ZZ',
      'AAA',
    ]);
  });
});

describe('mapHeader', () => {
  it('maps the template header with its marker and reports nothing', () => {
    const mapping = mapHeader([...COLUMN_NAMES, TEMPLATE_VERSION_HEADER]);
    expect(mapping.columns).toEqual([...COLUMN_NAMES, undefined]);
    expect(mapping.issues).toEqual([]);
    expect(mapping.rejected).toBe(false);
    expect(mapping.templateVersion).toBe(TEMPLATE_VERSION);
  });

  it.each([
    ['E-mail', 'email'],
    ['Email Address', 'email'],
    ['Work Email', 'email'],
    ['EMAIL', 'email'],
    ['First Name', 'given_name'],
    ['Given Name', 'given_name'],
    ['given-name', 'given_name'],
    ['Last Name', 'family_name'],
    ['Surname', 'family_name'],
    ['Family Name', 'family_name'],
    ['Full Name', 'display_name'],
    ['Mobile', 'phone'],
    ['Phone Number', 'phone'],
    ['Employee ID', 'employee_id'],
    ['Employee Number', 'employee_id'],
    ['Manager', 'manager_email'],
    ['Manager Email', 'manager_email'],
    ['Dept', 'department'],
    ['Dept.', 'department'],
    ['Job Family', 'job_family'],
    ['Language', 'locale'],
    ['Start Date', 'start_date'],
    ['Hire Date', 'start_date'],
    ['Extra Roles', 'roles'],
    ['Group', 'groups'],
  ])('recognises "%s" as %s', (header, column) => {
    const mapping = mapHeader(['email', header].slice(column === 'email' ? 1 : 0));
    expect(mapping.columns).toContain(column);
    expect(mapping.issues).toEqual([]);
  });

  it('reads a record by column, leaving out columns the row is too short for', () => {
    const mapping = mapHeader(['Email', 'Notes', 'First Name', 'Mobile']);
    expect(columnValues(mapping, ['a@b.co', 'ignored', 'Ada'])).toEqual({
      email: 'a@b.co',
      given_name: 'Ada',
    });
  });

  it('reports a missing email column once, as a file-level error, and rejects', () => {
    const mapping = mapHeader(['First Name', 'Last Name', 'Dept']);
    expect(mapping.rejected).toBe(true);
    expect(mapping.issues).toEqual([
      {
        row: null,
        column: 'email',
        code: 'MISSING_REQUIRED_COLUMN',
        severity: 'error',
        message:
          'The header row has no email column (it has: First Name, Last Name, Dept), so no user can be created.',
        suggestion: `Add a column headed "email" with each person's work email (E-mail, Email Address and Work Email are recognised too), or start from the current template (${TEMPLATE_DOWNLOAD_PATH}).`,
      },
    ]);
  });

  it('points at a misspelt email column when the email is missing', () => {
    const mapping = mapHeader(['First Name', 'Emial']);
    const missing = mapping.issues.find((found) => found.code === 'MISSING_REQUIRED_COLUMN');
    expect(missing?.suggestion).toBe('Rename column B "Emial" to "email".');
    expect(mapping.issues.map((found) => found.code)).toEqual(['MISSING_REQUIRED_COLUMN', 'UNKNOWN_COLUMN']);
  });

  it('lists at most ten headers when the email is missing', () => {
    const headers = Array.from({ length: 12 }, (_, index) => `h${index}`);
    const [missing] = mapHeader(headers).issues;
    expect(missing?.message).toContain('h9, …)');
    expect(missing?.message).not.toContain('h10');
  });

  it('reports a column given twice (by any alias) as a duplicate, and rejects', () => {
    const mapping = mapHeader(['email', 'First Name', 'family_name', 'given_name']);
    expect(mapping.rejected).toBe(true);
    expect(mapping.issues).toEqual([
      {
        row: null,
        column: 'given_name',
        code: 'DUPLICATE_COLUMN',
        severity: 'error',
        message: 'Columns B "First Name" and D "given_name" both hold given_name.',
        suggestion:
          'Keep one of the two columns and delete the other (or rename it if it holds something else).',
      },
    ]);
    expect(mapping.columns).toEqual(['email', 'given_name', 'family_name', undefined]);
  });

  it('warns once per unknown column, suggesting the closest template column', () => {
    const mapping = mapHeader(['email', 'Frist Name', 'Cost Center', 'Phnoe']);
    expect(mapping.rejected).toBe(false);
    expect(mapping.issues).toEqual([
      {
        row: null,
        column: 'Frist Name',
        code: 'UNKNOWN_COLUMN',
        severity: 'warning',
        message: 'Column B "Frist Name" is not a template column; its values are ignored.',
        suggestion:
          'Did you mean given_name? If the column holds given_name values, rename its header to given_name.',
      },
      {
        row: null,
        column: 'Cost Center',
        code: 'UNKNOWN_COLUMN',
        severity: 'warning',
        message: 'Column C "Cost Center" is not a template column; its values are ignored.',
        suggestion: `Delete the column or leave it; the template's columns are ${COLUMN_NAMES.join(', ')}.`,
      },
      {
        row: null,
        column: 'Phnoe',
        code: 'UNKNOWN_COLUMN',
        severity: 'warning',
        message: 'Column D "Phnoe" is not a template column; its values are ignored.',
        suggestion: 'Did you mean phone? If the column holds phone values, rename its header to phone.',
      },
    ]);
  });

  it('records blank header positions, to be reported only if a row fills them', () => {
    const mapping = mapHeader(['email', '', 'given_name', ' ']);
    expect(mapping.unnamedPositions).toEqual([1, 3]);
    expect(mapping.issues).toEqual([]);
  });

  it('accepts a file without a marker silently (an HR system export)', () => {
    const mapping = mapHeader(['Email', 'First Name']);
    expect(mapping.templateVersion).toBeUndefined();
    expect(mapping.issues).toEqual([]);
  });

  it('treats the marker as no data column wherever it stands', () => {
    const mapping = mapHeader(['template_version:2026.11', 'email']);
    expect(mapping.columns).toEqual([undefined, 'email']);
    expect(mapping.issues).toEqual([]);
  });

  it('warns about a marker from an older template, with an upgrade hint', () => {
    const mapping = mapHeader(['email', 'template_version:2025.05']);
    expect(mapping.templateVersion).toBe('2025.05');
    expect(mapping.rejected).toBe(false);
    expect(mapping.issues).toEqual([
      {
        row: null,
        column: null,
        code: 'OLD_TEMPLATE_VERSION',
        severity: 'warning',
        message: `The file was made from template version 2025.05; the current version is ${TEMPLATE_VERSION}. Columns were matched by name, so the file was still validated.`,
        suggestion: `Download the current template from ${TEMPLATE_DOWNLOAD_PATH}?format=xlsx (or csv) and copy your rows into it.`,
      },
    ]);
  });

  it('accepts a marker from a newer template (columns are matched by name)', () => {
    expect(mapHeader(['email', 'template_version:2099.01']).issues).toEqual([]);
  });
});
