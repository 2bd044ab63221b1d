import fc from 'fast-check';
import type { SheetRecord } from '../../../../functions/bulk-import/parsing/sheet-record';

/** Characters that break naive CSV and text handling, weighted in so every run meets them. */
const AWKWARD_CHARACTERS = [
  '"',
  ',',
  ';',
  '\t',
  '\r',
  '\n',
  '\r\n',
  '\uFEFF',
  ' ',
  '\u00a0',
  '\u200b',
  '\u202e',
  'é',
  'e\u0301',
  'ß',
  'а',
  '😀',
  '＠',
  '=',
  '+',
  '-',
  '@',
  "'",
  'a',
  'Z',
  '0',
];

/** Any text of whole code points (no lone surrogates: no encoder can write those), short. */
export const anyText = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  { weight: 3, arbitrary: fc.string({ unit: fc.constantFrom(...AWKWARD_CHARACTERS), maxLength: 12 }) },
  { weight: 1, arbitrary: fc.constant('') },
);

/** Now and then a very long cell (up to 200,000 characters, under the reader's 1 MB row limit). */
export const anyCell = fc.oneof(
  { weight: 20, arbitrary: anyText },
  {
    weight: 1,
    arbitrary: fc
      .tuple(anyText, fc.integer({ min: 1_000, max: 200_000 }))
      .map(([text, length]) =>
        (text === '' ? 'x' : text).repeat(Math.ceil(length / Math.max(text.length, 1))),
      ),
  },
);

/** What a reader yields for these rows: trailing empty cells dropped, rows with no value left out. */
export function expectedRecords(rows: readonly (readonly string[])[]): SheetRecord[] {
  return rows.flatMap((cells, index) => {
    const trimmed = [...cells];
    while (trimmed.length > 0 && trimmed.at(-1) === '') trimmed.pop();
    return trimmed.length === 0 ? [] : [{ row: index + 1, cells: trimmed }];
  });
}

/** The template's column names and the header variants HR exports use, in any case and padding. */
export const HEADER_NAMES = [
  'email',
  'E-mail',
  'Email Address',
  'given_name',
  'First Name',
  'family_name',
  'Surname',
  'display_name',
  'Full Name',
  'employee_id',
  'department',
  'Dept',
  'job_family',
  'phone',
  'manager_email',
  'Manager',
  'locale',
  'Language',
  'roles',
  'groups',
  'start_date',
  'Hire Date',
  'unknown column',
  '',
] as const;

/**
 * Where two record lists first differ, briefly (a failing property shrinks through hundreds of
 * cases, and a full diff of 200,000-character cells takes minutes each), or undefined.
 */
export function firstDifference(
  actual: readonly SheetRecord[],
  expected: readonly SheetRecord[],
): string | undefined {
  const around = (text: string | undefined, at: number) =>
    text === undefined ? 'no cell' : JSON.stringify(text.slice(Math.max(0, at - 8), at + 8));
  for (let index = 0; index < Math.max(actual.length, expected.length); index++) {
    const got = actual[index];
    const want = expected[index];
    if (got === undefined || want === undefined)
      return `record ${index}: got ${got?.row}, expected ${want?.row}`;
    if (got.row !== want.row) return `record ${index}: row ${got.row}, expected ${want.row}`;
    for (let cell = 0; cell < Math.max(got.cells.length, want.cells.length); cell++) {
      const a = got.cells[cell];
      const b = want.cells[cell];
      if (a === b) continue;
      let at = 0;
      while (a !== undefined && b !== undefined && a[at] === b[at]) at++;
      return `row ${want.row} cell ${cell} (lengths ${a?.length}/${b?.length}) differs at ${at}: ${around(a, at)} vs ${around(b, at)}`;
    }
  }
  return undefined;
}
