import { describe, expect, it } from 'vitest';
import { checkPhoneNumber, phoneRegionOf } from '../../../../functions/bulk-import/domain/phone-number';

describe('phoneRegionOf', () => {
  it("is the locale's region when libphonenumber knows it", () => {
    expect(phoneRegionOf('en-GB')).toBe('GB');
    expect(phoneRegionOf('de-DE')).toBe('DE');
    expect(phoneRegionOf('de')).toBeUndefined();
    expect(phoneRegionOf('es-419')).toBeUndefined();
    expect(phoneRegionOf(undefined)).toBeUndefined();
  });
});

describe('checkPhoneNumber', () => {
  it.each([
    ['+44 7911 123456', undefined, '+447911123456'],
    ['+1 (650) 253-0000', undefined, '+16502530000'],
    ['0044 20 7946 0958', undefined, '+442079460958'],
    ['+44 (0)20 7946 0958', undefined, '+442079460958'],
    ['07911 123456', 'GB', '+447911123456'],
    ['+49 30 901820', 'GB', '+4930901820'],
    ['030 901820', 'DE', '+4930901820'],
  ] as const)('reads %j (region %s) as %s', (raw, region, e164) => {
    expect(checkPhoneNumber(raw, region)).toEqual({ valid: true, e164 });
  });

  it('refuses a national number when no region is known, saying how to fix it', () => {
    expect(checkPhoneNumber('07911 123456', undefined)).toEqual({
      valid: false,
      problem: 'has no country code',
      suggestion:
        "Write it in international format with + and the country code, e.g. +44 7911 123456. A national number is read only when the row's locale has a region, e.g. en-GB.",
    });
  });

  it('recognises an international number whose + Excel dropped', () => {
    expect(checkPhoneNumber('447911123456', undefined)).toEqual({
      valid: false,
      problem: 'has no country code',
      suggestion:
        'Did you mean +44 7911 123456? Excel drops a leading + unless the column is formatted as Text.',
    });
  });

  it('explains a number Excel turned into scientific notation', () => {
    expect(checkPhoneNumber('4.47912E+11', undefined)).toEqual({
      valid: false,
      problem: 'is a number in scientific notation: Excel has already dropped its last digits',
      suggestion:
        'Format the column as Text, re-enter the number in international format (e.g. +44 7911 123456) and save again.',
    });
  });

  it('refuses an extension, offering the number without it', () => {
    expect(checkPhoneNumber('+44 20 7946 0958 ext. 12', undefined)).toEqual({
      valid: false,
      problem: 'has an extension (12), which cannot be stored',
      suggestion: 'Remove the extension and write +44 20 7946 0958.',
    });
    expect(checkPhoneNumber('+1 415 555 0132 x12', undefined)).toMatchObject({
      problem: 'has an extension (12), which cannot be stored',
    });
  });

  it.each([
    ['+44 20 7946', undefined, 'is too short'],
    ['+44 20 7946 0958 1234', undefined, 'is too long'],
    ['+999 1234 5678', undefined, 'has no known country code'],
    ['+1 555 555 0100', undefined, 'is not a valid number'],
    ['7946 09', 'GB', 'is too short for region GB'],
    ['+1 415-555-CALL', undefined, 'contains letters'],
    ['call me', undefined, 'contains letters'],
  ] as const)('refuses %j: %s', (raw, region, problem) => {
    const checked = checkPhoneNumber(raw, region);
    expect(checked).toMatchObject({ valid: false, problem });
    if (!checked.valid) expect(checked.suggestion).toContain('+44 7911 123456');
  });
});
