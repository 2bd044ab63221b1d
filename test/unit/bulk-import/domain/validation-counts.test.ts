import { describe, expect, it } from 'vitest';
import type { SheetRecord } from '../../../../functions/bulk-import/parsing/sheet-record';
import { cells, directoryWith, HEADER, validate } from './validation-fixtures';

/** mulberry32: a tiny seeded generator, so a failing mix can be replayed from its seed. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

const OLD = 'old1@example.com';
const EXISTING = [OLD, 'old2@example.com'];

/** A random sheet mixing clean rows with every kind of trouble, blank rows and gaps in numbering. */
function randomSheet(random: () => number): { records: SheetRecord[]; dataRows: Set<number> } {
  const pick = <Item>(items: readonly Item[], fallback: Item): Item =>
    items[Math.floor(random() * items.length)] ?? fallback;
  const records: SheetRecord[] = [{ row: 1, cells: [...HEADER] }];
  const dataRows = new Set<number>();
  const emails: string[] = [];
  let row = 1;
  const length = Math.floor(random() * 60);
  for (let index = 0; index < length; index++) {
    row += random() < 0.1 ? 2 : 1;
    const email = `user${index}@example.com`;
    const kind = pick(
      [
        'clean',
        'clean',
        'clean',
        'blank',
        'bad-email',
        'no-email',
        'duplicate',
        'existing',
        'bad-phone',
        'unknown-role',
        'approval',
        'manager-known',
        'manager-ghost',
        'malformed',
        'duplicate-id',
        'bad-date',
      ] as const,
      'clean',
    );
    if (kind === 'blank') {
      records.push({ row, cells: random() < 0.5 ? [] : ['', '  '] });
      continue;
    }
    const values = {
      clean: { email },
      'bad-email': { email: `user${index}@@example.com` },
      'no-email': { email: '', given_name: 'Nobody' },
      duplicate: { email: pick(emails, email) },
      existing: { email: pick(EXISTING, OLD) },
      'bad-phone': { email, phone: '12' },
      'unknown-role': { email, roles: 'wizard' },
      approval: { email, roles: 'tenant_admin' },
      'manager-known': { email, manager_email: pick(emails, OLD) },
      'manager-ghost': { email, manager_email: 'ghost@example.com' },
      malformed: { email },
      'duplicate-id': { email, employee_id: 'E-SHARED' },
      'bad-date': { email, start_date: '31/31/2026' },
    }[kind];
    if (values.email !== '') emails.push(values.email);
    const record = cells(values);
    records.push({ row, cells: kind === 'malformed' ? [...record, 'extra'] : record });
    dataRows.add(row);
  }
  return { records, dataRows };
}

describe('validation counts on random mixes', () => {
  it('always account for every row: valid + invalid = total, and the sink agrees', async () => {
    for (let seed = 1; seed <= 60; seed++) {
      const { records, dataRows } = randomSheet(seeded(seed));
      const { outcome, rows, issues, sequence } = await validate(records, {
        directory: directoryWith({ emails: EXISTING }),
      });
      const context = `seed ${seed}`;
      if (dataRows.size === 0) {
        expect(outcome.rejected, context).toBe(true);
        continue;
      }
      expect(outcome.rejected, context).toBe(false);
      expect(outcome.total, context).toBe(dataRows.size);
      expect(outcome.valid + outcome.invalid, context).toBe(outcome.total);
      expect(rows, context).toHaveLength(outcome.valid);

      const rowsWithErrors = new Set(
        issues.filter((found) => found.severity === 'error').map((found) => found.row),
      );
      expect(rowsWithErrors.size, context).toBe(outcome.invalid);
      expect(
        rows.every((row) => !rowsWithErrors.has(row.row)),
        context,
      ).toBe(true);
      expect(
        issues.filter((found) => found.severity === 'warning'),
        context,
      ).toHaveLength(outcome.warnings);

      for (const found of issues) {
        expect(found.row === null || dataRows.has(found.row), `${context}: issue on row ${found.row}`).toBe(
          true,
        );
        expect(found.message, context).not.toBe('');
        expect(found.suggestion, context).not.toBe('');
      }
      const order = sequence.map((event) => (event.endsWith(':null') ? 0 : Number(event.split(':')[1])));
      expect(order, `${context}: emitted in row order`).toEqual([...order].sort((a, b) => a - b));

      const rowNumbers = rows.map((row) => row.row);
      expect(rowNumbers, `${context}: valid rows in row order`).toEqual(
        [...rowNumbers].sort((a, b) => a - b),
      );
      expect(
        [...rowNumbers, ...rowsWithErrors].sort(),
        `${context}: every row either valid or with an error`,
      ).toEqual([...dataRows].sort());

      const emails = rows.map((row) => row.email);
      expect(new Set(emails).size, `${context}: no email provisioned twice`).toBe(emails.length);
      expect(
        emails.filter((email) => EXISTING.includes(email)),
        context,
      ).toEqual([]);
    }
  });
});
