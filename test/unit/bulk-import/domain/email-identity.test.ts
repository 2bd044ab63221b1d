import { describe, expect, it } from 'vitest';
import { checkRow } from '../../../../functions/bulk-import/domain/row-rules';
import { codesOf, sheet, validate } from './validation-fixtures';

describe('look-alike addresses in a row', () => {
  it('is a CONFUSABLE_EMAIL error naming the character and the address it imitates', () => {
    const { issues, fields } = checkRow(2, { email: 'ana@pаypal.com', manager_email: 'boss＠corp.com' });
    expect(fields.email).toBeUndefined();
    expect(fields.managerEmail).toBeUndefined();
    expect(issues).toEqual([
      expect.objectContaining({
        column: 'email',
        code: 'CONFUSABLE_EMAIL',
        severity: 'error',
        message:
          '"ana@pаypal.com" is not the address it looks like: it contains "а" (Cyrillic U+0430), which looks like "a" but is another character.',
        suggestion: expect.stringMatching(/^If ana@paypal\.com is meant, retype it by hand/),
      }),
      expect.objectContaining({ column: 'manager_email', code: 'CONFUSABLE_EMAIL' }),
    ]);
  });
});

describe('duplicates are found on the exact normalised address', () => {
  it('keeps a plus-addressed mailbox apart from the plain one, and finds the same mailbox however it is spelled', async () => {
    const { rows, issues } = await validate(
      sheet(
        { email: 'ana@corp.com' },
        { email: 'ana+it@corp.com' },
        { email: 'Ana+IT@Corp.com' },
        { email: 'ana@müller.de' },
        { email: 'ana@xn--mller-kva.de' },
      ),
    );
    expect(rows.map((row) => row.email)).toEqual(['ana@corp.com']);
    for (const row of [3, 4, 5, 6]) expect(codesOf(issues, row)).toEqual(['DUPLICATE_IN_FILE']);
  });
});
