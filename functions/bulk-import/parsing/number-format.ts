import { MONTH_NAMES } from '../../shared/month-names';

/**
 * Renders a numeric cell the way Excel displays it under the cell's number format code, because
 * exceljs hands over only the stored number (and `cell.text` ignores the format): an employee id
 * stored as 123 under `00000` must read `00123`, a date serial under `yyyy-mm-dd` `2026-01-15`.
 *
 * Covered: General, digit placeholders (`0 # ?`), literals interleaved with digits (`000-000-0000`),
 * thousands separators and scaling commas, decimals, `%`, scientific notation, `@`, the sections
 * for positive, negative and zero numbers, quoted and escaped literals, `[$€-407]` currency text,
 * dates and times (y m d h s, AM/PM, elapsed `[h]`, fractions of seconds). A format's text section
 * is not applied: text cells read as typed.
 *
 * Deliberate differences from Excel's screen:
 * - General shows up to 15 significant digits without switching to scientific notation for long
 *   integers: Excel abbreviates a 12-digit phone number typed as a number only because the column
 *   is narrow, and the formula bar shows all digits.
 * - The locale's short date (built-in format 14, which exceljs reports as `mm-dd-yy`) and short
 *   date-time (22) render as ISO `yyyy-mm-dd` (`yyyy-mm-dd hh:mm`): Excel shows them in the reader's
 *   regional format, which the file does not record, and an admin who typed `2026-01-15` into a
 *   US-locale Excel gets format 14.
 * - Month and day names are English; colours, fill (`*`) and conditions (`[>100]`) are ignored;
 *   fractions (`# ?/?`) and conditional sections fall back to General.
 */

const LOCALE_DATE_FORMATS: Readonly<Record<string, string>> = {
  'mm-dd-yy': 'yyyy-mm-dd',
  'm/d/yy h:mm': 'yyyy-mm-dd hh:mm',
  // exceljs's table spells built-in format 22 with a quoted h.
  'm/d/yy "h":mm': 'yyyy-mm-dd hh:mm',
};

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

type DatePart = 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second';

type Token =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'digit'; readonly placeholder: '0' | '#' | '?' }
  | { readonly kind: 'point' }
  | { readonly kind: 'comma' }
  | { readonly kind: 'percent' }
  | { readonly kind: 'exponent'; readonly showPlus: boolean }
  | { readonly kind: 'slash' }
  | { readonly kind: 'general' }
  | { readonly kind: 'date'; readonly part: DatePart; readonly width: number; readonly text: string }
  | { readonly kind: 'elapsed'; readonly unit: 'hour' | 'minute' | 'second'; readonly width: number }
  | { readonly kind: 'ampm'; readonly am: string; readonly pm: string }
  | { readonly kind: 'subsecond'; readonly digits: number };

interface Section {
  readonly tokens: readonly Token[];
  readonly conditional: boolean;
}

type Renderer = (value: number) => string;

/**
 * A formatter for one workbook: `date1904` is the workbook's date system (serial 0 is 1904-01-01
 * instead of 1900-01-00). Compiled format codes are cached per formatter, so a sheet's few formats
 * are parsed once however many cells use them.
 */
export function numberFormatter(date1904: boolean): (value: number, formatCode?: string) => string {
  const compiled = new Map<string, Renderer>();
  return (value, formatCode) => {
    if (!Number.isFinite(value)) return '';
    const code = formatCode ?? 'General';
    let render = compiled.get(code);
    if (!render) {
      render = compileFormat(LOCALE_DATE_FORMATS[code] ?? code, date1904);
      compiled.set(code, render);
    }
    return render(value);
  };
}

/** Excel's General format, to 15 significant digits (Excel's precision). */
export function formatGeneral(value: number): string {
  if (!Number.isFinite(value)) return '';
  const [mantissa = '', exponent] = String(Number(value.toPrecision(15))).split('e');
  if (exponent === undefined) return mantissa;
  const sign = exponent.startsWith('-') ? '-' : '+';
  return `${mantissa}E${sign}${exponent.replace(/^[+-]/, '').padStart(2, '0')}`;
}

function compileFormat(code: string, date1904: boolean): Renderer {
  if (code === '' || code.toLowerCase() === 'general') return formatGeneral;
  const sections = splitSections(code).map(tokenize);
  if (sections.some((section) => section.conditional)) return formatGeneral;
  const [positive, negative, zero] = sections.map((section) => compileSection(section.tokens, date1904));
  if (!positive) return formatGeneral;
  return (value) => {
    if (value < 0 && negative) return negative(-value);
    if (value === 0 && zero) return zero(0);
    if (value < 0) {
      const text = positive(-value);
      return /[1-9]/.test(text) ? `-${text}` : text;
    }
    return positive(value);
  };
}

function splitSections(code: string): string[] {
  const sections: string[] = [];
  let current = '';
  for (let index = 0; index < code.length; index++) {
    const char = code.charAt(index);
    if (char === '"') {
      const end = code.indexOf('"', index + 1);
      const stop = end === -1 ? code.length : end;
      current += code.slice(index, stop + 1);
      index = stop;
    } else if (char === '\\' || char === '_' || char === '*') {
      current += code.slice(index, index + 2);
      index++;
    } else if (char === '[') {
      const end = code.indexOf(']', index);
      const stop = end === -1 ? code.length : end;
      current += code.slice(index, stop + 1);
      index = stop;
    } else if (char === ';') {
      sections.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  sections.push(current);
  return sections;
}

function tokenize(section: string): Section {
  const tokens: Token[] = [];
  let conditional = false;
  const literal = (text: string) => tokens.push({ kind: 'literal', text });
  let index = 0;
  while (index < section.length) {
    const char = section.charAt(index);
    const lower = char.toLowerCase();
    const rest = section.slice(index);
    if (char === '"') {
      const end = section.indexOf('"', index + 1);
      const stop = end === -1 ? section.length : end;
      literal(section.slice(index + 1, stop));
      index = stop + 1;
    } else if (char === '\\') {
      literal(section.charAt(index + 1));
      index += 2;
    } else if (char === '_') {
      // Padding as wide as the next character: a space is what a reader of the text sees.
      literal(' ');
      index += 2;
    } else if (char === '*') {
      index += 2;
    } else if (char === '[') {
      const end = section.indexOf(']', index);
      const stop = end === -1 ? section.length : end;
      const content = section.slice(index + 1, stop);
      const elapsed = /^(h+|m+|s+)$/i.exec(content);
      if (elapsed?.[1]) {
        const unit = elapsed[1].charAt(0).toLowerCase();
        tokens.push({
          kind: 'elapsed',
          unit: unit === 'h' ? 'hour' : unit === 'm' ? 'minute' : 'second',
          width: elapsed[1].length,
        });
      } else if (content.startsWith('$')) {
        const currency = content.slice(1).split('-')[0];
        if (currency) literal(currency);
      } else if (/^[<>=]/.test(content)) {
        conditional = true;
      }
      index = stop + 1;
    } else if (rest.toLowerCase().startsWith('general')) {
      tokens.push({ kind: 'general' });
      index += 'general'.length;
    } else if (char === '@') {
      tokens.push({ kind: 'general' });
      index++;
    } else if (char === '0' || char === '#' || char === '?') {
      tokens.push({ kind: 'digit', placeholder: char });
      index++;
    } else if (char === '.') {
      const zeros = /^\.(0+)/.exec(rest)?.[1]?.length ?? 0;
      if (zeros > 0 && followsSeconds(tokens)) {
        tokens.push({ kind: 'subsecond', digits: Math.min(zeros, 3) });
        index += 1 + zeros;
      } else {
        tokens.push({ kind: 'point' });
        index++;
      }
    } else if (char === ',') {
      tokens.push({ kind: 'comma' });
      index++;
    } else if (char === '%') {
      tokens.push({ kind: 'percent' });
      index++;
    } else if (char === '/') {
      tokens.push({ kind: 'slash' });
      index++;
    } else if (lower === 'e' && (rest.charAt(1) === '+' || rest.charAt(1) === '-')) {
      tokens.push({ kind: 'exponent', showPlus: rest.charAt(1) === '+' });
      index += 2;
    } else if (rest.toUpperCase().startsWith('AM/PM')) {
      tokens.push({ kind: 'ampm', am: rest.slice(0, 2), pm: rest.slice(3, 5) });
      index += 5;
    } else if (rest.toUpperCase().startsWith('A/P')) {
      tokens.push({ kind: 'ampm', am: rest.charAt(0), pm: rest.charAt(2) });
      index += 3;
    } else if ('ymdhse'.includes(lower)) {
      let end = index + 1;
      while (end < section.length && section.charAt(end).toLowerCase() === lower) end++;
      const text = section.slice(index, end);
      // `e` is the year in full whatever the run's length.
      tokens.push({ kind: 'date', part: datePart(lower), width: lower === 'e' ? 4 : text.length, text });
      index = end;
    } else {
      literal(char);
      index++;
    }
  }
  return { tokens: resolveMinutes(tokens), conditional };
}

function datePart(letter: string): DatePart {
  switch (letter) {
    case 'y':
    case 'e':
      return 'year';
    case 'd':
      return 'day';
    case 'h':
      return 'hour';
    case 's':
      return 'second';
    default:
      return 'month';
  }
}

function followsSeconds(tokens: readonly Token[]): boolean {
  const previous = tokens.at(-1);
  return (
    (previous?.kind === 'date' && previous.part === 'second') ||
    (previous?.kind === 'elapsed' && previous.unit === 'second')
  );
}

/** `m` and `mm` mean minutes right after an hour or right before a second, months otherwise. */
function resolveMinutes(tokens: readonly Token[]): Token[] {
  const timeParts = tokens.map((token, index) => ({ token, index })).filter(({ token }) => isTimeish(token));
  return tokens.map((token, index) => {
    if (token.kind !== 'date' || token.part !== 'month' || token.width > 2) return token;
    const position = timeParts.findIndex((entry) => entry.index === index);
    const before = timeParts[position - 1]?.token;
    const after = timeParts[position + 1]?.token;
    const afterHour =
      (before?.kind === 'date' && before.part === 'hour') ||
      (before?.kind === 'elapsed' && before.unit === 'hour');
    const beforeSecond =
      (after?.kind === 'date' && after.part === 'second') ||
      (after?.kind === 'elapsed' && after.unit === 'second');
    return afterHour || beforeSecond ? { ...token, part: 'minute' } : token;
  });
}

function isTimeish(token: Token): boolean {
  return token.kind === 'date' || token.kind === 'elapsed';
}

function compileSection(tokens: readonly Token[], date1904: boolean): Renderer {
  const isDate = tokens.some(
    (token) => token.kind === 'date' || token.kind === 'elapsed' || token.kind === 'ampm',
  );
  const isNumber = tokens.some(
    (token) => token.kind === 'digit' || token.kind === 'percent' || token.kind === 'exponent',
  );
  if (isDate && !isNumber) return (value) => renderDate(value, tokens, date1904);
  if (tokens.some((token) => token.kind === 'slash') && isNumber) return formatGeneral;
  return compileNumber(tokens.map((token) => (token.kind === 'date' ? literalOf(token.text) : token)));
}

function literalOf(text: string): Token {
  return { kind: 'literal', text };
}

// ---------------------------------------------------------------------------------------------
// Numbers

function compileNumber(tokens: readonly Token[]): Renderer {
  const exponentAt = tokens.findIndex((token) => token.kind === 'exponent');
  const mantissa = exponentAt === -1 ? tokens : tokens.slice(0, exponentAt);
  const exponentTokens = exponentAt === -1 ? [] : tokens.slice(exponentAt + 1);
  const exponent = exponentAt === -1 ? undefined : tokens[exponentAt];
  const pointAt = mantissa.findIndex((token) => token.kind === 'point');
  const integerTokens = pointAt === -1 ? mantissa : mantissa.slice(0, pointAt);
  const fractionTokens = pointAt === -1 ? [] : mantissa.slice(pointAt + 1);

  const integerDigitIndexes = integerTokens.flatMap((token, index) =>
    token.kind === 'digit' ? [index] : [],
  );
  const firstDigit = integerDigitIndexes[0] ?? -1;
  const lastDigit = integerDigitIndexes.at(-1) ?? -1;
  let grouping = false;
  let scaleCommas = 0;
  const integerLayout: Token[] = [];
  integerTokens.forEach((token, index) => {
    if (token.kind !== 'comma') {
      integerLayout.push(token);
    } else if (firstDigit !== -1 && index > firstDigit && index < lastDigit) {
      grouping = true;
    } else if (lastDigit !== -1 && index > lastDigit) {
      scaleCommas++;
    } else {
      integerLayout.push(literalOf(','));
    }
  });
  // Commas after the decimal point scale too (`0.0,,` shows millions).
  const fractionLayout = fractionTokens.flatMap((token) => {
    if (token.kind !== 'comma') return [token];
    scaleCommas++;
    return [];
  });
  const percents = tokens.filter((token) => token.kind === 'percent').length;
  const fractionDigits = fractionLayout.filter((token) => token.kind === 'digit').length;
  const integerPlaceholders = integerLayout.filter((token) => token.kind === 'digit');
  const engineering = integerPlaceholders.some(
    (token) => token.kind === 'digit' && token.placeholder === '#',
  );
  const hasPoint = pointAt !== -1;
  // A section of literals only (`"n/a"`) shows just them, whatever the number.
  if (integerPlaceholders.length === 0 && fractionDigits === 0) {
    return (value) => integerLayout.map((token) => renderOther(token, value)).join('');
  }

  return (value) => {
    let scaled = (value * 100 ** percents) / 1000 ** scaleCommas;
    let exponentValue = 0;
    if (exponent) {
      const width = Math.max(1, integerPlaceholders.length);
      exponentValue = scientificExponent(scaled, width, engineering);
      scaled /= 10 ** exponentValue;
      if (roundDecimal(scaled, fractionDigits).integer.length > width) {
        const step = engineering ? width : 1;
        exponentValue += step;
        scaled /= 10 ** step;
      }
    }
    const { integer, fraction } = roundDecimal(scaled, fractionDigits);
    let text = grouping
      ? renderGroupedInteger(integerLayout, integer, value)
      : renderInteger(integerLayout, integer, value);
    if (hasPoint) text += `.${renderFraction(fractionLayout, fraction, value)}`;
    if (exponent?.kind === 'exponent')
      text += renderExponent(exponentTokens, exponentValue, exponent.showPlus);
    return text;
  };
}

function scientificExponent(value: number, width: number, engineering: boolean): number {
  if (value === 0) return 0;
  const magnitude = Math.floor(Math.log10(value));
  return engineering ? Math.floor(magnitude / width) * width : magnitude - (width - 1);
}

/**
 * Fills digit placeholders from the right, the leftmost one taking any digits left over; with no
 * integer placeholder at all (`.00`), the digits go just before the decimal point.
 */
function renderInteger(layout: readonly Token[], digits: string, value: number): string {
  let remaining = digits === '0' ? '' : digits;
  const leftmostPlaceholder = layout.findIndex((token) => token.kind === 'digit');
  let text = leftmostPlaceholder === -1 ? remaining : '';
  for (let index = layout.length - 1; index >= 0; index--) {
    const token = layout[index];
    if (!token) continue;
    if (token.kind === 'digit') {
      if (remaining.length > 0) {
        text = (index === leftmostPlaceholder ? remaining : remaining.slice(-1)) + text;
        remaining = index === leftmostPlaceholder ? '' : remaining.slice(0, -1);
      } else {
        text = (token.placeholder === '0' ? '0' : token.placeholder === '?' ? ' ' : '') + text;
      }
    } else {
      text = renderOther(token, value) + text;
    }
  }
  return text;
}

function renderGroupedInteger(layout: readonly Token[], digits: string, value: number): string {
  const placeholders = layout.flatMap((token) => (token.kind === 'digit' ? [token.placeholder] : []));
  const significant = digits === '0' ? '' : digits;
  let padded = significant;
  for (let index = placeholders.length - significant.length - 1; index >= 0; index--) {
    const placeholder = placeholders[index];
    if (placeholder === '0') padded = `0${padded}`;
    else if (placeholder === '?') padded = ` ${padded}`;
  }
  const grouped = padded.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const first = layout.findIndex((token) => token.kind === 'digit');
  const last = layout.findLastIndex((token) => token.kind === 'digit');
  const prefix = layout.slice(0, first).map((token) => renderOther(token, value));
  const suffix = layout.slice(last + 1).map((token) => renderOther(token, value));
  return prefix.join('') + grouped + suffix.join('');
}

function renderFraction(layout: readonly Token[], digits: string, value: number): string {
  const placeholders = layout.flatMap((token) => (token.kind === 'digit' ? [token.placeholder] : []));
  const shown = digits.split('');
  for (let index = placeholders.length - 1; index >= 0; index--) {
    if (shown[index] !== '0') break;
    const placeholder = placeholders[index];
    if (placeholder === '0') break;
    shown[index] = placeholder === '?' ? ' ' : '';
  }
  let digitIndex = 0;
  return layout
    .map((token) => (token.kind === 'digit' ? (shown[digitIndex++] ?? '') : renderOther(token, value)))
    .join('');
}

function renderExponent(layout: readonly Token[], exponent: number, showPlus: boolean): string {
  const minimum = layout.filter((token) => token.kind === 'digit' && token.placeholder === '0').length;
  const sign = exponent < 0 ? '-' : showPlus ? '+' : '';
  return `E${sign}${String(Math.abs(exponent)).padStart(minimum, '0')}`;
}

function renderOther(token: Token, value: number): string {
  switch (token.kind) {
    case 'literal':
      return token.text;
    case 'percent':
      return '%';
    case 'general':
      return formatGeneral(value);
    case 'point':
      return '.';
    case 'comma':
      return ',';
    case 'slash':
      return '/';
    default:
      return '';
  }
}

/**
 * Rounds half away from zero on the value's 15 significant decimal digits, as Excel does, so that
 * 1.005 at two decimals shows 1.01 and 0.1 + 0.2 shows 0.3 (binary rounding would not).
 */
function roundDecimal(value: number, fractionDigits: number): { integer: string; fraction: string } {
  const [mantissa = '0', exponentText = '0'] = Math.abs(value).toExponential(14).split('e');
  const digits = mantissa.replace('.', '');
  let pointAt = Number(exponentText) + 1;
  const keep = pointAt + fractionDigits;
  let kept: string;
  if (keep < 0) {
    kept = '';
  } else if (keep >= digits.length) {
    kept = digits.padEnd(keep, '0');
  } else {
    kept = digits.slice(0, keep);
    if ((digits.charAt(keep) || '0') >= '5') {
      const incremented = incrementDecimal(kept);
      if (incremented.length > kept.length) pointAt++;
      kept = incremented;
    }
  }
  const padded = pointAt < 0 ? '0'.repeat(-pointAt) + kept : kept;
  const split = Math.max(pointAt, 0);
  const integer = padded.slice(0, split).replace(/^0+/, '') || '0';
  const fraction = padded.slice(split).padEnd(fractionDigits, '0').slice(0, fractionDigits);
  return { integer, fraction };
}

function incrementDecimal(digits: string): string {
  const chars = digits.split('');
  for (let index = chars.length - 1; index >= 0; index--) {
    if (chars[index] !== '9') {
      chars[index] = String(Number(chars[index]) + 1);
      return chars.join('');
    }
    chars[index] = '0';
  }
  return `1${chars.join('')}`;
}

// ---------------------------------------------------------------------------------------------
// Dates and times

interface CalendarDay {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly weekday: number;
}

const MS_PER_DAY = 86_400_000;

function renderDate(serial: number, tokens: readonly Token[], date1904: boolean): string {
  // Excel cannot show a negative date or time either (it fills the cell with ####).
  if (serial < 0) return formatGeneral(serial);
  const subsecondDigits = Math.max(
    0,
    ...tokens.map((token) => (token.kind === 'subsecond' ? token.digits : 0)),
  );
  const unitsPerSecond = 10 ** subsecondDigits;
  const unitsPerDay = 86_400 * unitsPerSecond;
  const total = Math.round(serial * unitsPerDay);
  const dayNumber = Math.floor(total / unitsPerDay);
  const unitsOfDay = total - dayNumber * unitsPerDay;
  const secondsOfDay = Math.floor(unitsOfDay / unitsPerSecond);
  const calendar = calendarDay(dayNumber, date1904);
  const hour = Math.floor(secondsOfDay / 3600);
  const twelveHour = tokens.some((token) => token.kind === 'ampm');
  const fields: Record<DatePart, number> = {
    year: calendar.year,
    month: calendar.month,
    day: calendar.day,
    hour: twelveHour ? hour % 12 || 12 : hour,
    minute: Math.floor(secondsOfDay / 60) % 60,
    second: secondsOfDay % 60,
  };
  return tokens
    .map((token) => {
      switch (token.kind) {
        case 'date':
          return renderDatePart(token.part, token.width, fields, calendar.weekday);
        case 'elapsed': {
          const perUnit = token.unit === 'hour' ? 3600 : token.unit === 'minute' ? 60 : 1;
          return String(Math.floor(total / unitsPerSecond / perUnit)).padStart(token.width, '0');
        }
        case 'ampm':
          return hour < 12 ? token.am : token.pm;
        case 'subsecond':
          return `.${String(unitsOfDay % unitsPerSecond)
            .padStart(subsecondDigits, '0')
            .slice(0, token.digits)}`;
        default:
          return renderOther(token, serial);
      }
    })
    .join('');
}

function renderDatePart(
  part: DatePart,
  width: number,
  fields: Record<DatePart, number>,
  weekday: number,
): string {
  const value = fields[part];
  switch (part) {
    case 'year':
      return width <= 2 ? String(value % 100).padStart(2, '0') : String(value).padStart(4, '0');
    case 'month': {
      const name = MONTH_NAMES[value - 1] ?? '';
      if (width === 3) return name.slice(0, 3);
      if (width === 4 || width > 5) return name;
      if (width === 5) return name.charAt(0);
      return String(value).padStart(width, '0');
    }
    case 'day': {
      const name = WEEKDAYS[weekday] ?? '';
      if (width === 3) return name.slice(0, 3);
      if (width >= 4) return name;
      return String(value).padStart(width, '0');
    }
    default:
      return String(value).padStart(Math.min(width, 2), '0');
  }
}

/**
 * Excel's day numbers. In the 1900 system day 60 is 1900-02-29, a day that never was (kept for
 * Lotus 1-2-3 compatibility), so days before it sit one day later than a plain count suggests.
 */
function calendarDay(dayNumber: number, date1904: boolean): CalendarDay {
  if (!date1904 && dayNumber === 60) return { year: 1900, month: 2, day: 29, weekday: 3 };
  const epoch = date1904
    ? Date.UTC(1904, 0, 1)
    : dayNumber < 60
      ? Date.UTC(1899, 11, 31)
      : Date.UTC(1899, 11, 30);
  const date = new Date(epoch + dayNumber * MS_PER_DAY);
  return {
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
    weekday: date.getUTCDay(),
  };
}

/** The serial number exceljs turned into a `Date` (it converts date-formatted plain numbers). */
export function serialFromDate(date: Date, date1904: boolean): number {
  return date.getTime() / MS_PER_DAY + 25_569 - (date1904 ? 1_462 : 0);
}
