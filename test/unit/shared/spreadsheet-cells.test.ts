import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { neutraliseFormula } from '../../../functions/shared/spreadsheet-cells';

/** Whether a spreadsheet could take the cell for a formula: the property the neutraliser must remove. */
const startsFormula = (cell: string) => /^(?:[\t\r]|[\s\p{Cc}]*[=+\-@＝＋－＠])/u.test(cell);

describe('neutraliseFormula', () => {
  it.each([
    "=cmd|' /C calc'!A0",
    '+1+1',
    '-2+3',
    '@SUM(A1)',
    '\t=1',
    '\r=1',
    '=HYPERLINK("http://evil.test","click")',
    '+44 20 7946 0000',
    ' =1+1',
    '\n=1+1',
    '\u0000=1',
    '＝1+1',
    '＠SUM(A1)',
    '\tplain',
  ])('prefixes an apostrophe to %j', (payload) => {
    expect(neutraliseFormula(payload)).toBe(`'${payload}`);
  });

  it.each(['ada@example.com', 'a=b', 'Smith-Jones', '', "'quoted", '"=1" is not a valid email address'])(
    'leaves %j as it is',
    (text) => {
      expect(neutraliseFormula(text)).toBe(text);
    },
  );

  it('leaves no cell a spreadsheet could run, and changes a cell only by the leading apostrophe', () => {
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.constantFrom('=', '+', '-', '@', '＝', ' ', '\t', '\r', '\n', '\u0001', 'a', '1', "'"),
        }),
        (cell) => {
          const safe = neutraliseFormula(cell);
          expect(startsFormula(safe)).toBe(false);
          expect(safe === cell || safe === `'${cell}`).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});
