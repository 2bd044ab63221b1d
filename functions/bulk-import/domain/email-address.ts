/**
 * A pragmatic subset of RFC 5322 addresses: a dot-atom local part and a DNS domain with an
 * alphabetic top-level label. Quoted local parts, IP-literal domains and non-ASCII addresses are
 * refused — no directory or mail system an enterprise admin imports into relies on them, and each
 * is far more often a copy-paste accident than a real address.
 */
export type EmailCheck =
  | { readonly valid: true; readonly email: string }
  | { readonly valid: false; readonly problem: string; readonly correction?: string };

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

/** Checks and normalises (trim, lower case) an address; a refusal names the problem and, when one is evident, a correction. */
export function checkEmailAddress(raw: string): EmailCheck {
  const address = raw.trim().toLowerCase();
  if (PLAINLY_VALID.test(address) && address.indexOf('@') <= LOCAL_PART_MAX_LENGTH) {
    return { valid: true, email: address };
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
