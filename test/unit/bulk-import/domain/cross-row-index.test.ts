import { describe, expect, it } from 'vitest';
import {
  findManagerProblems,
  ManagerReferences,
  RowFlags,
  RowsByKey,
} from '../../../../functions/bulk-import/domain/cross-row-index';

describe('RowsByKey', () => {
  it('remembers every row of a key and lists the duplicated keys', () => {
    const keys = new RowsByKey();
    keys.add('a', 2);
    keys.add('b', 3);
    keys.add('a', 5);
    keys.add('a', 9);
    expect(keys.rowsOf('a')).toEqual([2, 5, 9]);
    expect(keys.rowsOf('b')).toEqual([3]);
    expect(keys.rowsOf('c')).toEqual([]);
    expect(keys.has('b')).toBe(true);
    expect([...keys.keys()]).toEqual(['a', 'b']);
    expect([...keys.duplicates()]).toEqual([['a', [2, 5, 9]]]);
  });
});

describe('RowFlags', () => {
  it('holds row numbers, growing as needed', () => {
    const flags = new RowFlags();
    for (const row of [0, 7, 8, 8191, 8192, 1_048_576]) flags.add(row);
    for (const row of [0, 7, 8, 8191, 8192, 1_048_576]) expect(flags.has(row)).toBe(true);
    for (const row of [1, 6, 9, 8190, 8193, 1_048_575, 5_000_000]) expect(flags.has(row)).toBe(false);
  });
});

describe('findManagerProblems', () => {
  function setUp(rows: [row: number, email: string, manager?: string][]) {
    const fileEmails = new RowsByKey();
    const references = new ManagerReferences();
    for (const [row, email, manager] of rows) {
      fileEmails.add(email, row);
      if (manager !== undefined) references.add(manager, row, email);
    }
    return { fileEmails, references };
  }

  it('finds no problem with existing managers or managers of valid rows', () => {
    const { fileEmails, references } = setUp([
      [2, 'a', 'boss'],
      [3, 'b', 'a'],
      [4, 'c', 'c'],
    ]);
    const problems = findManagerProblems({
      fileEmails,
      references,
      existingEmails: new Set(['boss']),
      rowsWithErrors: new RowFlags(),
    });
    expect(problems).toEqual(new Map());
  });

  it('cascades a failure down a chain of managers, but not to an existing manager', () => {
    const { fileEmails, references } = setUp([
      [2, 'top', 'ghost'],
      [3, 'mid', 'top'],
      [4, 'low', 'mid'],
      [5, 'other', 'known'],
      [6, 'known'],
    ]);
    const rowsWithErrors = new RowFlags();
    const problems = findManagerProblems({
      fileEmails,
      references,
      existingEmails: new Set(),
      rowsWithErrors,
    });
    expect(problems).toEqual(
      new Map([
        [2, { manager: 'ghost', kind: 'not-found' }],
        [3, { manager: 'top', kind: 'row-not-created', row: 2 }],
        [4, { manager: 'mid', kind: 'row-not-created', row: 3 }],
      ]),
    );
  });

  it('starts from rows with errors of their own and from duplicated managers', () => {
    const { fileEmails, references } = setUp([
      [2, 'broken'],
      [3, 'a', 'broken'],
      [4, 'twin'],
      [5, 'twin'],
      [6, 'b', 'twin'],
    ]);
    const rowsWithErrors = new RowFlags();
    rowsWithErrors.add(2);
    rowsWithErrors.add(4);
    rowsWithErrors.add(5);
    const problems = findManagerProblems({
      fileEmails,
      references,
      existingEmails: new Set(),
      rowsWithErrors,
    });
    expect(problems).toEqual(
      new Map([
        [3, { manager: 'broken', kind: 'row-not-created', row: 2 }],
        [6, { manager: 'twin', kind: 'duplicated', rows: [4, 5] }],
      ]),
    );
  });

  it('breaks a cycle of managers when one of them fails', () => {
    const { fileEmails, references } = setUp([
      [2, 'a', 'b'],
      [3, 'b', 'a'],
    ]);
    const rowsWithErrors = new RowFlags();
    rowsWithErrors.add(2);
    const problems = findManagerProblems({
      fileEmails,
      references,
      existingEmails: new Set(),
      rowsWithErrors,
    });
    expect(problems).toEqual(
      new Map([
        [3, { manager: 'a', kind: 'row-not-created', row: 2 }],
        [2, { manager: 'b', kind: 'row-not-created', row: 3 }],
      ]),
    );
  });
});
