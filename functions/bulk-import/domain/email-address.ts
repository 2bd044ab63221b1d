import { domainToASCII, domainToUnicode } from 'node:url';
import { asciiLookalike, hasLatinLookalike } from './email-suggestions';

/**
 * A pragmatic subset of RFC 5322 addresses: a dot-atom local part and a DNS domain with an
 * alphabetic top-level label. Quoted local parts, IP-literal domains and non-ASCII local parts are
 * refused — no directory or mail system an enterprise admin imports into relies on them, and each
 * is far more often a copy-paste accident than a real address.
 *
 * Internationalised domains are accepted when each label is written in one script (UTS #39's
 * "highly restrictive" level: Latin may mix only with Han and Japanese kana or Hangul) and is not
 * made entirely of letters that imitate Latin ones; they are stored in their ASCII (A-label) form,
 * the one SES sends to and one spelling per mailbox. An address that imitates another (a Cyrillic
 * "а" in "pаypal.com", a full-width "＠") is refused as `lookalike`, with the address it imitates.
 */
export type EmailCheck =
  | { readonly valid: true; readonly email: string }
  | {
      readonly valid: false;
      readonly problem: string;
      readonly correction?: string;
      /** The address imitates another with characters of other scripts or compatibility forms. */
      readonly lookalike?: true;
    };

const LOCAL_PART_MAX_LENGTH = 64;
const DOMAIN_MAX_LENGTH = 253;
const ATOM = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+$/;
const DOMAIN_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const TOP_LEVEL_LABEL = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;
/**
 * The shape nearly every real address has, a strict subset of what the rules below accept (dot
 * atoms of common characters, labels not starting or ending with "-", an alphabetic top level,
 * the domain's length bounded by its labels'): such an address needs no further check.
 */
const PLAINLY_VALID =
  /^[a-z0-9_+-]+(?:\.[a-z0-9_+-]+)*@(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const NON_ASCII = /[^\p{ASCII}]/u;
const INVISIBLE = /[\u200b-\u200d\u2060\ufeff\u00ad]/g;
const WHITESPACE_NAMES: Readonly<Record<string, string>> = {
  ' ': 'a space',
  '\t': 'a tab',
  '\n': 'a line break',
  '\r': 'a line break',
  '\u00a0': 'a non-breaking space',
};

/** How a character is named in a message: itself when printable, its code point otherwise. */
export function describeCharacter(character: string): string {
  const codePoint = character.codePointAt(0) ?? 0;
  const code = `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
  return /[\p{L}\p{N}\p{P}\p{S}]/u.test(character) ? `"${character}"` : `an invisible character (${code})`;
}

function domainProblem(domain: string): string | undefined {
  if (domain.length > DOMAIN_MAX_LENGTH) return `its domain is longer than ${DOMAIN_MAX_LENGTH} characters`;
  const badCharacter = /[^a-z0-9.-]/.exec(domain)?.[0];
  if (badCharacter !== undefined) {
    return `its domain "${domain}" contains ${describeCharacter(badCharacter)}`;
  }
  const labels = domain.split('.');
  if (labels.length < 2) return `its domain "${domain}" has no dot (e.g. company.com)`;
  if (labels.some((label) => label === '')) return `its domain "${domain}" has an empty part between dots`;
  const badLabel = labels.find((label) => !DOMAIN_LABEL.test(label));
  if (badLabel !== undefined) {
    return `its domain part "${badLabel}" starts or ends with "-" or is longer than 63 characters`;
  }
  const topLevel = labels.at(-1) ?? '';
  if (!TOP_LEVEL_LABEL.test(topLevel))
    return `its domain ends in ".${topLevel}", which is not a top-level domain`;
  return undefined;
}

function localPartProblem(localPart: string): string | undefined {
  if (localPart.length > LOCAL_PART_MAX_LENGTH) {
    return `the part before the @ is longer than ${LOCAL_PART_MAX_LENGTH} characters`;
  }
  const atoms = localPart.split('.');
  if (atoms.some((atom) => atom === '')) {
    return 'the part before the @ starts or ends with a dot, or has two dots in a row';
  }
  const badAtom = atoms.find((atom) => !ATOM.test(atom));
  if (badAtom !== undefined) {
    const badCharacter = /[^a-z0-9!#$%&'*+/=?^_`{|}~-]/.exec(badAtom)?.[0] ?? badAtom;
    return `the part before the @ contains ${describeCharacter(badCharacter)}`;
  }
  return undefined;
}

/** Why a lower-cased, trimmed address is not acceptable, or undefined when it is. */
function addressProblem(address: string): string | undefined {
  const whitespace = /\s/u.exec(address)?.[0];
  if (whitespace !== undefined)
    return `it contains ${WHITESPACE_NAMES[whitespace] ?? describeCharacter(whitespace)}`;
  const invisible = address.match(INVISIBLE)?.[0];
  if (invisible !== undefined) return `it contains ${describeCharacter(invisible)}`;
  const nonAscii = /[^\x21-\x7e]/.exec(address)?.[0];
  if (nonAscii !== undefined)
    return `it contains ${describeCharacter(nonAscii)}, which addresses here cannot have`;
  const at = address.indexOf('@');
  if (at === -1) return 'it has no @';
  if (address.indexOf('@', at + 1) !== -1) return 'it has more than one @';
  const localPart = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (localPart === '') return 'it has nothing before the @';
  if (domain === '') return 'it has nothing after the @';
  return localPartProblem(localPart) ?? domainProblem(domain);
}

/** Repairs for the accidents spreadsheets collect, tried in order; the first that yields a valid address is offered. */
const REPAIRS: readonly ((address: string) => string)[] = [
  (address) => /<([^<>]+)>/.exec(address)?.[1]?.trim() ?? address,
  (address) => address.replace(/^mailto:/, ''),
  (address) => address.replace(INVISIBLE, ''),
  (address) => address.replace(/\s+/gu, ''),
  (address) => address.replace(/,/g, '.'),
  (address) => address.replace(/\.+$/, '').replace(/\.{2,}/g, '.'),
];

const SCRIPTS = [
  'Latin',
  'Cyrillic',
  'Greek',
  'Armenian',
  'Georgian',
  'Hebrew',
  'Arabic',
  'Devanagari',
  'Thai',
  'Han',
  'Hiragana',
  'Katakana',
  'Hangul',
  'Bopomofo',
].map((name) => ({ name, pattern: new RegExp(`\\p{Script=${name}}`, 'u') }));
/** Scripts a label may mix with Latin and each other (Japanese, Chinese and Korean writing). */
const MIXABLE_WITH_LATIN: readonly ReadonlySet<string>[] = [
  new Set(['Han', 'Hiragana', 'Katakana']),
  new Set(['Han', 'Bopomofo']),
  new Set(['Han', 'Hangul']),
];

function scriptOf(character: string): string | undefined {
  if (!/\p{L}/u.test(character)) return undefined;
  return SCRIPTS.find(({ pattern }) => pattern.test(character))?.name ?? 'another script';
}

/** Why a (Unicode) domain label may disguise another, or undefined. */
function deceptiveLabel(label: string): string | undefined {
  const scripts = new Set<string>();
  for (const character of label) {
    const script = scriptOf(character);
    if (script !== undefined) scripts.add(script);
  }
  const others = [...scripts].filter((script) => script !== 'Latin');
  const mixed = scripts.has('Latin')
    ? !MIXABLE_WITH_LATIN.some((group) => others.every((script) => group.has(script)))
    : others.length > 1 && !MIXABLE_WITH_LATIN.some((group) => others.every((script) => group.has(script)));
  if (mixed) return `its domain part "${label}" mixes ${[...scripts].join(' and ')} letters`;
  if (!NON_ASCII.test(label)) return undefined;
  if ([...label].every((character) => !/\p{L}/u.test(character) || hasLatinLookalike(character))) {
    return `its domain part "${label}" is written in ${[...scripts].join(' and ')} letters that imitate Latin ones`;
  }
  return undefined;
}

/** The first character that imitates an ASCII one, named for the message: `"а" (Cyrillic U+0430)`. */
function firstLookalike(address: string): string | undefined {
  for (const character of address) {
    if (character.charCodeAt(0) < 0x80 || !hasLatinLookalike(character)) continue;
    const codePoint = `U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
    const script = scriptOf(character);
    const kind = script === undefined || script === 'Latin' ? '' : `${script} `;
    return `"${character}" (${kind}${codePoint}), which looks like "${asciiLookalike(character)}"`;
  }
  return undefined;
}

/**
 * The verdict on an address with non-ASCII characters or an A-label (`xn--`) domain, decoded so
 * that a disguise written in punycode is seen; undefined leaves it to the ASCII rules.
 */
function checkInternational(address: string): EmailCheck | undefined {
  if (/\s/u.test(address) || address.search(INVISIBLE) !== -1) return undefined;
  const at = address.lastIndexOf('@');
  const domainWritten = address.slice(at + 1);
  // Only A-labels are decoded: mapping anything else (UTS #46 folds "。" into ".") would hide it.
  const written =
    at === -1 || !domainWritten.includes('xn--')
      ? address
      : `${address.slice(0, at)}@${domainToUnicode(domainWritten) || domainWritten}`;
  if (!NON_ASCII.test(written)) return undefined;
  const lookalike = asciiLookalike(written);
  const imitated = NON_ASCII.test(lookalike) ? undefined : lookalike;
  if (imitated !== undefined && addressProblem(imitated) === undefined) {
    return {
      valid: false,
      problem: `it contains ${firstLookalike(written) ?? 'characters that look like others'} but is another character`,
      correction: imitated,
      lookalike: true,
    };
  }
  const separator = written.lastIndexOf('@');
  if (separator === -1 || written.indexOf('@') !== separator) return undefined;
  const localPart = written.slice(0, separator);
  const domain = written.slice(separator + 1);
  if (NON_ASCII.test(localPart)) {
    const localLookalike = asciiLookalike(localPart);
    if (NON_ASCII.test(localLookalike)) return undefined;
    return {
      valid: false,
      problem: `the part before the @ contains ${firstLookalike(localPart)} but is another character`,
      lookalike: true,
    };
  }
  const deception = domain
    .split('.')
    .map(deceptiveLabel)
    .find((found) => found !== undefined);
  if (deception !== undefined) {
    const imitatedDomain = asciiLookalike(domain);
    const correction = NON_ASCII.test(imitatedDomain) ? undefined : `${localPart}@${imitatedDomain}`;
    return {
      valid: false,
      problem: deception,
      ...(correction !== undefined && addressProblem(correction) === undefined ? { correction } : {}),
      lookalike: true,
    };
  }
  const asciiDomain = domainToASCII(domain);
  if (asciiDomain === '')
    return { valid: false, problem: `its domain "${domain}" is not a valid international domain name` };
  const stored = `${localPart}@${asciiDomain}`;
  const problem = addressProblem(stored);
  return problem === undefined ? { valid: true, email: stored } : { valid: false, problem };
}

/** Checks and normalises (trim, lower case) an address; a refusal names the problem and, when one is evident, a correction. */
export function checkEmailAddress(raw: string): EmailCheck {
  const address = raw.trim().toLowerCase();
  if (
    PLAINLY_VALID.test(address) &&
    address.indexOf('@') <= LOCAL_PART_MAX_LENGTH &&
    !address.includes('xn--')
  ) {
    return { valid: true, email: address };
  }
  if (NON_ASCII.test(address) || address.includes('xn--')) {
    const verdict = checkInternational(address);
    if (verdict !== undefined) return verdict;
  }
  const problem = addressProblem(address);
  if (problem === undefined) return { valid: true, email: address };
  let repaired = address;
  for (const repair of REPAIRS) {
    repaired = repair(repaired);
    if (repaired !== address && addressProblem(repaired) === undefined) {
      return { valid: false, problem, correction: repaired };
    }
  }
  return { valid: false, problem };
}
