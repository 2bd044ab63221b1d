import { MONTH_NAMES } from '../../shared/month-names';
import { rememberVerdicts } from './remembered-verdicts';

/**
 * Start dates are stored as ISO `YYYY-MM-DD`. Besides that form, what a spreadsheet renders for a
 * real date cell is accepted when it cannot be misread: ISO date-times (the date part), slashes or
 * dots in year-month-day order, and English month names ("15 Jan 2026", "Jan 15, 2026", Excel's
 * "15-Jan-26", with or without a weekday). All-
 * numeric day/month orders (01/02/2026) are refused, with the ISO reading(s) offered: whether that
 * is 1 February or 2 January depends on the machine that wrote the file, and guessing a start
 * date wrong is worse than asking.
 */
export type DateCheck =
  | { readonly valid: true; readonly date: string }
  | { readonly valid: false; readonly problem: string; readonly suggestion: string };

const FORMAT_HINT = 'Use YYYY-MM-DD, e.g. 2026-01-15.';
const EARLIEST_YEAR = 1900;
const LATEST_YEAR = 2100;

const YEAR_FIRST =
  /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;
/** A leading weekday ("Thu 15 Jan 2026", "Thursday, January 15, 2026") is allowed and ignored. */
const WEEKDAY = String.raw`(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?`;
const DAY_MONTH_NAME_YEAR = new RegExp(
  String.raw`^${WEEKDAY}(\d{1,2})[\s-]+([a-z]{3,9})\.?[\s-]+(\d{4}|\d{2})$`,
  'i',
);
const MONTH_NAME_DAY_YEAR = new RegExp(
  String.raw`^${WEEKDAY}([a-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4}|\d{2})$`,
  'i',
);
/** Excel's reading of a two-digit year, as in its built-in `d-mmm-yy` format: 00-29 → 20xx, 30-99 → 19xx. */
const TWO_DIGIT_YEAR_PIVOT = 30;
const NUMERIC_DAY_MONTH = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/;
/** Excel's serial day numbers from 1927 on: a date cell shown as a number (shorter ones read as years). */
const EXCEL_SERIAL = /^\d{5}$/;
const EXCEL_EPOCH_UTC = Date.UTC(1899, 11, 30);
const DAY_MS = 86_400_000;

function isoDate(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function monthNumber(name: string): number | undefined {
  const lower = name.toLowerCase();
  // Full names and abbreviations of at least three letters: "Jan", "Sept", "June".
  const index = MONTH_NAMES.findIndex((month) => lower.length >= 3 && month.toLowerCase().startsWith(lower));
  return index === -1 ? undefined : index + 1;
}

function refuse(problem: string, suggestion = FORMAT_HINT): DateCheck {
  return { valid: false, problem, suggestion };
}

function calendarDate(year: number, month: number, day: number): DateCheck {
  if (year < EARLIEST_YEAR || year > LATEST_YEAR) {
    return refuse(
      `has the year ${year}, outside ${EARLIEST_YEAR}-${LATEST_YEAR}`,
      `Check the year. ${FORMAT_HINT}`,
    );
  }
  if (month < 1 || month > 12) return refuse(`has no month ${month}`);
  const monthName = `${MONTH_NAMES[month - 1]} ${year}`;
  if (day < 1 || day > daysInMonth(year, month)) {
    return refuse(
      `is not a date: ${monthName} has ${daysInMonth(year, month)} days`,
      `Check the day. ${FORMAT_HINT}`,
    );
  }
  return { valid: true, date: isoDate(year, month, day) };
}

function readingsOf(first: number, second: number, year: number): string[] {
  const readings = [calendarDate(year, second, first), calendarDate(year, first, second)];
  return [...new Set(readings.flatMap((reading) => (reading.valid ? [reading.date] : [])))];
}

/** Start dates cluster (the first of the month, the next Monday): each distinct text is judged once. */
const judgeRemembered = rememberVerdicts(judgeStartDate, 10_000);

export function checkStartDate(raw: string): DateCheck {
  return judgeRemembered(raw.trim());
}

function judgeStartDate(text: string): DateCheck {
  const yearFirst = YEAR_FIRST.exec(text);
  if (yearFirst) return calendarDate(Number(yearFirst[1]), Number(yearFirst[2]), Number(yearFirst[3]));

  const named = DAY_MONTH_NAME_YEAR.exec(text) ?? MONTH_NAME_DAY_YEAR.exec(text);
  if (named) {
    const [, first = '', second = '', year = ''] = named;
    const dayFirst = /^\d/.test(first);
    const monthName = dayFirst ? second : first;
    const month = monthNumber(monthName);
    if (month === undefined) return refuse(`has "${monthName}", which is not an English month name`);
    const written = Number(year);
    const fullYear = year.length === 4 ? written : written + (written < TWO_DIGIT_YEAR_PIVOT ? 2000 : 1900);
    return calendarDate(fullYear, month, Number(dayFirst ? first : second));
  }

  const numeric = NUMERIC_DAY_MONTH.exec(text);
  if (numeric) {
    const readings = readingsOf(Number(numeric[1]), Number(numeric[2]), Number(numeric[3]));
    if (readings.length === 0) return refuse('is not a date');
    return refuse(
      'puts the day and month in an order that depends on the computer that wrote it',
      readings.length === 1
        ? `Did you mean ${readings[0]}? ${FORMAT_HINT}`
        : `Write ${readings.join(' or ')}, whichever is meant (YYYY-MM-DD).`,
    );
  }

  if (EXCEL_SERIAL.test(text)) {
    const serialDate = new Date(EXCEL_EPOCH_UTC + Number(text) * DAY_MS).toISOString().slice(0, 10);
    return refuse(
      'is a number, not a date: Excel shows dates this way when the cell is formatted as a number',
      `If ${text} is Excel's number for ${serialDate}, write ${serialDate} (format the column as Text first).`,
    );
  }
  return refuse('is not a date');
}
