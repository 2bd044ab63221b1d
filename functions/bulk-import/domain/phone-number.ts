import {
  type CountryCode,
  isSupportedCountry,
  parsePhoneNumberFromString,
  validatePhoneNumberLength,
} from 'libphonenumber-js/max';
import { rememberVerdicts } from './remembered-verdicts';

/**
 * Phone numbers are stored as E.164. A number written with `+` (or the `00` international prefix)
 * is read as is; a national number only when the row's locale names a region (`en-GB` reads
 * `07911 123456` as British) — guessing a country from anything else would store a wrong number
 * that still looks valid. The full ("max") metadata is used so an impossible number is refused
 * now, not when the first SMS bounces.
 */
export type PhoneCheck =
  | { readonly valid: true; readonly e164: string }
  | { readonly valid: false; readonly problem: string; readonly suggestion: string };

const EXAMPLE = '+44 7911 123456';
const INTERNATIONAL_HINT = `Write it in international format with + and the country code, e.g. ${EXAMPLE}.`;
const EXCEL_SCIENTIFIC = /^\d(?:[.,]\d+)?e\+?\d+$/i;
const DIGITS_ONLY = /^\d{8,15}$/;
/** An extension as libphonenumber reads it ("ext. 12", "x12"): refused with its own message. */
const EXTENSION = /\s*(?:ext\.?|x)\s*\d+$/i;
const LENGTH_PROBLEMS: Readonly<Record<string, string>> = {
  TOO_SHORT: 'is too short',
  TOO_LONG: 'is too long',
  INVALID_LENGTH: 'has the wrong number of digits',
  INVALID_COUNTRY: 'has no known country code',
  NOT_A_NUMBER: 'is not a phone number',
};

/** Files hold few distinct locales: remembered rather than building an Intl.Locale per row. */
const regionOfLocale = rememberVerdicts((locale: string): CountryCode | undefined => {
  const { region } = new Intl.Locale(locale);
  return region !== undefined && isSupportedCountry(region) ? region : undefined;
}, 1000);

/** The region a canonical locale names (`en-GB` → GB), when libphonenumber knows it. */
export function phoneRegionOf(locale: string | undefined): CountryCode | undefined {
  return locale === undefined ? undefined : regionOfLocale(locale);
}

function refuse(problem: string, suggestion: string): PhoneCheck {
  return { valid: false, problem, suggestion };
}

/**
 * Parsing with the full metadata costs some 15 µs a number (libphonenumber builds its regular
 * expressions per call), and a directory repeats numbers (switchboards, shared desk lines): the
 * verdicts are remembered per region (a handful: the file's locales).
 */
const MAX_REMEMBERED_NUMBERS = 2_000;
const MAX_REMEMBERED_REGIONS = 10;
const judgeByRegion = new Map<CountryCode | undefined, (text: string) => PhoneCheck>();

export function checkPhoneNumber(raw: string, region: CountryCode | undefined): PhoneCheck {
  let judge = judgeByRegion.get(region);
  if (judge === undefined) {
    // A bound on regions too, so a file of many locales (and a warm Lambda) keeps a bounded cache.
    const oldest = judgeByRegion.keys().next();
    if (judgeByRegion.size >= MAX_REMEMBERED_REGIONS && !oldest.done) judgeByRegion.delete(oldest.value);
    judge = rememberVerdicts((text: string) => judgePhoneNumber(text, region), MAX_REMEMBERED_NUMBERS);
    judgeByRegion.set(region, judge);
  }
  return judge(raw.trim());
}

function judgePhoneNumber(text: string, region: CountryCode | undefined): PhoneCheck {
  if (EXCEL_SCIENTIFIC.test(text)) {
    return refuse(
      'is a number in scientific notation: Excel has already dropped its last digits',
      `Format the column as Text, re-enter the number in international format (e.g. ${EXAMPLE}) and save again.`,
    );
  }
  if (/\p{L}/u.test(text.replace(EXTENSION, ''))) return refuse('contains letters', INTERNATIONAL_HINT);
  const written = text.startsWith('00') ? `+${text.slice(2)}` : text;
  if (!written.startsWith('+') && region === undefined) {
    const withPlus = DIGITS_ONLY.test(written) ? parsePhoneNumberFromString(`+${written}`) : undefined;
    return refuse(
      'has no country code',
      withPlus?.isValid()
        ? `Did you mean ${withPlus.formatInternational()}? Excel drops a leading + unless the column is formatted as Text.`
        : `${INTERNATIONAL_HINT} A national number is read only when the row's locale has a region, e.g. en-GB.`,
    );
  }
  const options = { defaultCountry: region, extract: false } as const;
  const parsed = parsePhoneNumberFromString(written, options);
  if (parsed?.isValid()) {
    if (parsed.ext !== undefined) {
      return refuse(
        `has an extension (${parsed.ext}), which cannot be stored`,
        `Remove the extension and write ${parsePhoneNumberFromString(parsed.number)?.formatInternational() ?? parsed.number}.`,
      );
    }
    return { valid: true, e164: parsed.number };
  }
  const asNational = written.startsWith('+') || region === undefined ? '' : ` for region ${region}`;
  const lengthProblem = validatePhoneNumberLength(written, options);
  const problem = (lengthProblem && LENGTH_PROBLEMS[lengthProblem]) ?? 'is not a valid number';
  return refuse(`${problem}${asNational}`, `Check the digits. ${INTERNATIONAL_HINT}`);
}
