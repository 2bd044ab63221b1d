import { describe, expect, it } from 'vitest';
import {
  formatGeneral,
  numberFormatter,
  serialFromDate,
} from '../../../../functions/bulk-import/parsing/number-format';

const format = numberFormatter(false);

describe('numberFormatter', () => {
  it.each([
    // Identifiers and phone numbers typed as numbers keep the digits the format shows.
    [123, '00000', '00123'],
    [123456, '00000', '123456'],
    [5551234567, '000-000-0000', '555-123-4567'],
    [123, '000-000-0000', '000-000-0123'],
    [42, '"EMP"00000', 'EMP00042'],
    [447911123456, 'General', '447911123456'],
    [447911123456, '0', '447911123456'],
    [123, '@', '123'],
    // Numbers.
    [1234567.891, '#,##0.00', '1,234,567.89'],
    [1234, '#,##0', '1,234'],
    [0, '#,##0', '0'],
    [12345678, '#,##0,,"M"', '12M'],
    [1.005, '0.00', '1.01'],
    [2.5, '0', '3'],
    [0.5, '#.##', '.5'],
    [5.25, '.00', '5.25'],
    [0.256, '0.0%', '25.6%'],
    [0.5, '0%', '50%'],
    [12345.678, '0.00E+00', '1.23E+04'],
    [0.00012, '0.00E+00', '1.20E-04'],
    [9.999, '0.00E+00', '1.00E+01'],
    [12345, '##0.0E+0', '12.3E+3'],
    [1234.5, '[$€-407] #,##0.00', '€ 1,234.50'],
    [1234.5, '#,##0.00_);[Red](#,##0.00)', '1,234.50 '],
    [5, '"n/a"', 'n/a'],
    // Sections: positive;negative;zero.
    [-5, '0', '-5'],
    [-5, '0;(0)', '(5)'],
    [0, '0;-0;"none"', 'none'],
    [-0.001, '0', '0'],
    // Dates and times.
    [46037, 'yyyy-mm-dd', '2026-01-15'],
    [46037, 'dd/mm/yyyy', '15/01/2026'],
    [46037, 'd.m.yy', '15.1.26'],
    [46037, 'dddd, mmmm d, yyyy', 'Thursday, January 15, 2026'],
    [46037, 'ddd d mmm yyyy', 'Thu 15 Jan 2026'],
    [46037, 'mmm-yy', 'Jan-26'],
    [46037.5, 'yyyy-mm-dd hh:mm:ss', '2026-01-15 12:00:00'],
    [46037.75, 'h:mm AM/PM', '6:00 PM'],
    [46037.25, 'h:mm a/p', '6:00 a'],
    [1.5, '[h]:mm:ss', '36:00:00'],
    [0.000011574, 'hh:mm:ss.00', '00:00:01.00'],
    [0.99999999, 'hh:mm', '00:00'],
    // Excel's phantom 1900-02-29.
    [59, 'yyyy-mm-dd', '1900-02-28'],
    [60, 'yyyy-mm-dd', '1900-02-29'],
    [61, 'yyyy-mm-dd', '1900-03-01'],
    // Number formats with letters exceljs unescaped stay numbers.
    [1234, '0 m', '1234 m'],
  ])('%s under %j reads %j', (value, code, expected) => {
    expect(format(value, code)).toBe(expected);
  });

  it('renders the locale short date and date-time built-ins as ISO', () => {
    // exceljs reports built-in format 14 as `mm-dd-yy` and 22 as `m/d/yy "h":mm`.
    expect(format(46037, 'mm-dd-yy')).toBe('2026-01-15');
    expect(format(46037.5, 'm/d/yy "h":mm')).toBe('2026-01-15 12:00');
  });

  it('counts days from 1904-01-01 in a 1904 workbook', () => {
    const format1904 = numberFormatter(true);
    expect(format1904(0, 'yyyy-mm-dd')).toBe('1904-01-01');
    expect(format1904(46037 - 1462, 'yyyy-mm-dd')).toBe('2026-01-15');
  });

  it('falls back to General for fractions and conditional sections', () => {
    expect(format(3.5, '# ?/?')).toBe('3.5');
    expect(format(150, '[>100]"big";"small"')).toBe('150');
  });

  it('treats a missing format as General and unreadable numbers as empty', () => {
    expect(format(0.30000000000000004)).toBe('0.3');
    expect(format(Number.NaN, '0')).toBe('');
  });
});

describe('formatGeneral', () => {
  it('shows up to 15 significant digits, in scientific notation only for extreme magnitudes', () => {
    expect(formatGeneral(123)).toBe('123');
    expect(formatGeneral(0.1 + 0.2)).toBe('0.3');
    expect(formatGeneral(123456789012345680)).toBe('123456789012346000');
    expect(formatGeneral(1e21)).toBe('1E+21');
    expect(formatGeneral(1.5e-7)).toBe('1.5E-07');
    expect(formatGeneral(-42.5)).toBe('-42.5');
  });
});

describe('serialFromDate', () => {
  it('undoes exceljs turning a date-formatted number into a Date', () => {
    expect(serialFromDate(new Date(Date.UTC(2026, 0, 15, 12)), false)).toBe(46037.5);
    expect(serialFromDate(new Date(Date.UTC(2026, 0, 15)), true)).toBe(46037 - 1462);
  });
});
