import { rememberVerdicts } from './remembered-verdicts';
/**
 * Locales are stored as canonical BCP 47 tags (`en-GB`). `en_GB`, as Java and many HR systems
 * write it, is accepted; a tag whose language or region no one has heard of is refused, since
 * `Intl` alone accepts any well-formed tag ("english" is one).
 */
export type LocaleCheck =
  | { readonly valid: true; readonly locale: string }
  | { readonly valid: false; readonly problem: string; readonly suggestion: string };

const TAG_HINT = 'Use a language tag such as en-GB, de-DE, fr or pt-BR.';
const languageNames = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'none' });
const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });

let codesByLanguageName: ReadonlyMap<string, string> | undefined;

/** "german" → "de": the two-letter languages by their English names, built on first use. */
function languageCodeNamed(name: string): string | undefined {
  if (codesByLanguageName === undefined) {
    const codes = new Map<string, string>();
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    for (const first of letters) {
      for (const second of letters) {
        const languageName = languageNames.of(first + second);
        if (languageName !== undefined) codes.set(languageName.toLowerCase(), first + second);
      }
    }
    codesByLanguageName = codes;
  }
  return codesByLanguageName.get(name.trim().toLowerCase());
}

function canonicalTag(text: string): string | undefined {
  try {
    return Intl.getCanonicalLocales(text.replace(/_/g, '-'))[0];
  } catch {
    return undefined;
  }
}

/** A file holds a handful of distinct locales; remember the verdicts (up to a bound) instead of asking Intl per row. */
const MAX_REMEMBERED = 1000;
const judgeRemembered = rememberVerdicts(judgeLocale, MAX_REMEMBERED);

export function checkLocale(raw: string): LocaleCheck {
  return judgeRemembered(raw.trim());
}

function judgeLocale(text: string): LocaleCheck {
  const tag = canonicalTag(text);
  const namedCode = languageCodeNamed(text);
  if (tag === undefined || (namedCode !== undefined && tag !== namedCode)) {
    return {
      valid: false,
      problem: namedCode === undefined ? 'is not a language tag' : 'is a language name, not a language tag',
      suggestion: namedCode === undefined ? TAG_HINT : `Did you mean ${namedCode}? ${TAG_HINT}`,
    };
  }
  const { language, region } = new Intl.Locale(tag);
  if (languageNames.of(language) === undefined) {
    return { valid: false, problem: `has the unknown language "${language}"`, suggestion: TAG_HINT };
  }
  if (region !== undefined && regionNames.of(region) === undefined) {
    return { valid: false, problem: `has the unknown region "${region}"`, suggestion: TAG_HINT };
  }
  return { valid: true, locale: tag };
}
