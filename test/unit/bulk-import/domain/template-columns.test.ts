import { describe, expect, it } from 'vitest';
import {
  COLUMN_NAMES,
  inColumnOrder,
  isOutdatedTemplateVersion,
  normalizeHeader,
  TEMPLATE_COLUMNS,
  TEMPLATE_VERSION,
  TEMPLATE_VERSION_HEADER,
  templateColumn,
  templateVersionOf,
} from '../../../../functions/bulk-import/domain/template-columns';

describe('template columns', () => {
  it('are the columns the issue names, in template order, email alone required', () => {
    expect(TEMPLATE_COLUMNS.map((column) => column.name)).toEqual([...COLUMN_NAMES]);
    expect(TEMPLATE_COLUMNS.filter((column) => column.required).map((column) => column.name)).toEqual([
      'email',
    ]);
  });

  it('each describe themselves with a description, a format and an example within their limit', () => {
    for (const column of TEMPLATE_COLUMNS) {
      expect(column.description).not.toBe('');
      expect(column.format).not.toBe('');
      expect(column.example).not.toBe('');
      if (column.maxLength !== undefined && column.maxItems === undefined) {
        expect(column.example.length).toBeLessThanOrEqual(column.maxLength);
      }
    }
  });

  it('have documented limits', () => {
    expect(templateColumn('email').maxLength).toBe(254);
    expect(templateColumn('given_name').maxLength).toBe(100);
    expect(templateColumn('family_name').maxLength).toBe(100);
    expect(templateColumn('display_name').maxLength).toBe(256);
    expect(templateColumn('employee_id').maxLength).toBe(64);
    expect(templateColumn('roles').maxItems).toBe(20);
    expect(templateColumn('groups').maxItems).toBe(50);
  });

  it('keep ids, phones and dates as text in the XLSX template', () => {
    const text = TEMPLATE_COLUMNS.filter((column) => column.keepAsText).map((column) => column.name);
    expect(text).toEqual(['employee_id', 'phone', 'start_date']);
  });

  it('never give two columns the same recognised header', () => {
    const owners = new Map<string, string>();
    for (const column of TEMPLATE_COLUMNS) {
      for (const header of [column.name, ...column.aliases]) {
        const normalized = normalizeHeader(header);
        expect(owners.get(normalized) ?? column.name, `${header} is claimed twice`).toBe(column.name);
        owners.set(normalized, column.name);
      }
    }
  });
});

describe('normalizeHeader', () => {
  it('ignores case, spaces, underscores, hyphens and punctuation', () => {
    expect(normalizeHeader(' E-mail ')).toBe('email');
    expect(normalizeHeader('Given_Name')).toBe('givenname');
    expect(normalizeHeader('Employee No.')).toBe('employeeno');
    expect(normalizeHeader('ＥＭＡＩＬ')).toBe('email');
  });
});

describe('template version marker', () => {
  it('is the header of the last template column', () => {
    expect(TEMPLATE_VERSION).toMatch(/^\d{4}\.\d{2}$/);
    expect(TEMPLATE_VERSION_HEADER).toBe(`template_version:${TEMPLATE_VERSION}`);
  });

  it('is recognised however a spreadsheet or a person respells it', () => {
    expect(templateVersionOf('template_version:2026.11')).toBe('2026.11');
    expect(templateVersionOf(' Template Version = 2025.3 ')).toBe('2025.3');
    expect(templateVersionOf('template-version: v9')).toBe('v9');
    expect(templateVersionOf('version')).toBeUndefined();
    expect(templateVersionOf('email')).toBeUndefined();
  });

  it('is outdated when older than the current version or unreadable', () => {
    expect(isOutdatedTemplateVersion(TEMPLATE_VERSION)).toBe(false);
    expect(isOutdatedTemplateVersion('2026.10')).toBe(true);
    expect(isOutdatedTemplateVersion('2025.12')).toBe(true);
    expect(isOutdatedTemplateVersion('2027.01')).toBe(false);
    expect(isOutdatedTemplateVersion('v9')).toBe(true);
  });
});

describe('inColumnOrder', () => {
  it('sorts by template position, columnless items first, keeping ties in order', () => {
    const items = [
      { column: 'start_date', id: 1 },
      { column: 'email', id: 2 },
      { column: null, id: 3 },
      { column: 'email', id: 4 },
      { column: 'phone', id: 5 },
    ];
    expect(inColumnOrder(items).map((item) => item.id)).toEqual([3, 2, 4, 5, 1]);
  });
});
