import { describe, expect, it } from 'vitest';
import { checkStartDate } from '../../../../functions/bulk-import/domain/calendar-date';

describe('checkStartDate', () => {
  it.each([
    ['2026-01-15', '2026-01-15'],
    [' 2026-1-5 ', '2026-01-05'],
    ['2026/01/15', '2026-01-15'],
    ['2026.01.15', '2026-01-15'],
    ['2026-01-15T00:00:00.000Z', '2026-01-15'],
    ['2026-01-15 00:00:00', '2026-01-15'],
    ['2024-02-29', '2024-02-29'],
    ['15 Jan 2026', '2026-01-15'],
    ['15-Jan-2026', '2026-01-15'],
    ['15 January 2026', '2026-01-15'],
    ['Jan 15, 2026', '2026-01-15'],
    ['September 3 2026', '2026-09-03'],
    ['3 Sept 2026', '2026-09-03'],
    ['15-Jan-26', '2026-01-15'],
    ['15-Jan-75', '1975-01-15'],
    ['Thu 15 Jan 2026', '2026-01-15'],
    ['Thursday, January 15, 2026', '2026-01-15'],
    ['2026-01-15 12:00', '2026-01-15'],
  ])('reads %j as %s', (raw, date) => {
    expect(checkStartDate(raw)).toEqual({ valid: true, date });
  });

  it.each([
    [
      '2026-02-30',
      'is not a date: February 2026 has 28 days',
      'Check the day. Use YYYY-MM-DD, e.g. 2026-01-15.',
    ],
    ['2026-13-01', 'has no month 13', 'Use YYYY-MM-DD, e.g. 2026-01-15.'],
    [
      '1850-01-01',
      'has the year 1850, outside 1900-2100',
      'Check the year. Use YYYY-MM-DD, e.g. 2026-01-15.',
    ],
    [
      '15/01/2026',
      'puts the day and month in an order that depends on the computer that wrote it',
      'Did you mean 2026-01-15? Use YYYY-MM-DD, e.g. 2026-01-15.',
    ],
    [
      '01/02/2026',
      'puts the day and month in an order that depends on the computer that wrote it',
      'Write 2026-02-01 or 2026-01-02, whichever is meant (YYYY-MM-DD).',
    ],
    ['31/31/2026', 'is not a date', 'Use YYYY-MM-DD, e.g. 2026-01-15.'],
    [
      '15 Janvier 2026',
      'has "Janvier", which is not an English month name',
      'Use YYYY-MM-DD, e.g. 2026-01-15.',
    ],
    [
      '46037',
      'is a number, not a date: Excel shows dates this way when the cell is formatted as a number',
      "If 46037 is Excel's number for 2026-01-15, write 2026-01-15 (format the column as Text first).",
    ],
    ['2026', 'is not a date', 'Use YYYY-MM-DD, e.g. 2026-01-15.'],
    ['next monday', 'is not a date', 'Use YYYY-MM-DD, e.g. 2026-01-15.'],
  ])('refuses %j: %s', (raw, problem, suggestion) => {
    expect(checkStartDate(raw)).toEqual({ valid: false, problem, suggestion });
  });
});
