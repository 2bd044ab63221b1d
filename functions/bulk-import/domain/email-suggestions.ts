import { closestMatch, editDistance, typoBudget } from './text-distance';

/** Big mail providers whose near misses are typos rather than domains of their own. */
export const WELL_KNOWN_MAIL_DOMAINS: readonly string[] = [
  'gmail.com',
  'googlemail.com',
  'outlook.com',
  'hotmail.com',
  'live.com',
  'yahoo.com',
  'icloud.com',
  'protonmail.com',
];

/** A domain counts as the file's own once this many rows use it … */
const COMMON_DOMAIN_MIN_ROWS = 3;
/** … and a rarer near miss of it is a typo only when the common one is this many times as frequent. */
const COMMON_DOMAIN_DOMINANCE = 5;
const MOST_COMMON_DOMAINS_CONSIDERED = 20;

export type DomainSuggestion =
  | { readonly domain: string; readonly basis: 'file'; readonly rows: number }
  | { readonly domain: string; readonly basis: 'provider' };

export function domainOf(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1);
}

/**
 * Counts the domains of a file's addresses, then suggests, for a domain only a few rows use, the
 * file's much commoner domain (or a big provider) it is a near miss of: `acme.cmo` among hundreds
 * of `acme.com` rows. Memory grows with the number of distinct domains, not of rows.
 */
export class EmailDomainTally {
  private readonly rowsByDomain = new Map<string, number>();
  private commonDomains: readonly string[] | undefined;
  private readonly suggestions = new Map<string, DomainSuggestion | undefined>();

  /** Rows of the latest domain not yet counted in: a file's rows mostly share one domain. */
  private latest: { domain: string; rows: number } | undefined;

  add(email: string): void {
    const domain = domainOf(email);
    if (this.latest?.domain === domain) {
      this.latest.rows += 1;
      return;
    }
    this.countLatest();
    this.latest = { domain, rows: 1 };
  }

  private countLatest(): void {
    if (this.latest === undefined) return;
    const { domain, rows } = this.latest;
    this.rowsByDomain.set(domain, (this.rowsByDomain.get(domain) ?? 0) + rows);
    this.latest = undefined;
    this.commonDomains = undefined;
    this.suggestions.clear();
  }

  /** The domain a (valid) address was probably meant to have, when its own looks like a typo. */
  suggest(email: string): DomainSuggestion | undefined {
    this.countLatest();
    const domain = domainOf(email);
    if (!this.suggestions.has(domain)) this.suggestions.set(domain, this.computeSuggestion(domain));
    return this.suggestions.get(domain);
  }

  /** Whether any domain of the file gets a suggestion: when none does, no row needs asking. */
  suggestsForAny(): boolean {
    this.countLatest();
    for (const domain of this.rowsByDomain.keys()) {
      if (this.suggest(`@${domain}`) !== undefined) return true;
    }
    return false;
  }

  private computeSuggestion(domain: string): DomainSuggestion | undefined {
    const budget = typoBudget(domain.length);
    const rows = this.rowsByDomain.get(domain) ?? 0;
    for (const common of this.mostCommonDomains()) {
      const commonRows = this.rowsByDomain.get(common) ?? 0;
      if (commonRows < COMMON_DOMAIN_DOMINANCE * Math.max(rows, 1)) break;
      if (common !== domain && editDistance(domain, common) <= budget) {
        return { domain: common, basis: 'file', rows: commonRows };
      }
    }
    if (WELL_KNOWN_MAIL_DOMAINS.includes(domain)) return undefined;
    const provider = closestMatch(domain, WELL_KNOWN_MAIL_DOMAINS, budget);
    return provider === undefined ? undefined : { domain: provider, basis: 'provider' };
  }

  private mostCommonDomains(): readonly string[] {
    this.commonDomains ??= [...this.rowsByDomain]
      .filter(([, rows]) => rows >= COMMON_DOMAIN_MIN_ROWS)
      .sort(([, a], [, b]) => b - a)
      .slice(0, MOST_COMMON_DOMAINS_CONSIDERED)
      .map(([domain]) => domain);
    return this.commonDomains;
  }
}

/**
 * Letters of other scripts that render like a Latin letter or digit in the fonts mail clients and
 * spreadsheets use: the Latin-target subset of Unicode's confusables (UTS #39), lower case. What
 * NFKC folds already (full-width forms, mathematical letters, ligatures) is not repeated here.
 */
const LATIN_LOOKALIKES: Readonly<Record<string, string>> = {
  // Cyrillic, only the lower-case letters drawn like Latin ones (so Russian words are not suspects)
  а: 'a',
  е: 'e',
  о: 'o',
  р: 'p',
  с: 'c',
  у: 'y',
  х: 'x',
  ѕ: 's',
  і: 'i',
  ј: 'j',
  һ: 'h',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  ӏ: 'l',
  ѵ: 'v',
  // Greek
  α: 'a',
  ι: 'i',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  υ: 'u',
  ϲ: 'c',
  ϳ: 'j',
  // Armenian
  օ: 'o',
  ս: 'u',
  հ: 'h',
  ո: 'n',
  զ: 'q',
  // Latin letters that pass for others
  ı: 'i',
  ɑ: 'a',
  ɡ: 'g',
  ɩ: 'i',
  ʋ: 'u',
  ℓ: 'l',
  // Dots IDNA treats as label separators
  '。': '.',
  '｡': '.',
};

/**
 * The plain-ASCII address a disguised one imitates: compatibility forms folded (NFKC turns `＠`
 * into `@` and `ｐ` into `p`), then look-alike letters replaced. Characters with no look-alike
 * are kept, so the result is ASCII only when every character had one.
 */
export function asciiLookalike(address: string): string {
  let lookalike = '';
  for (const character of address.normalize('NFKC').toLowerCase()) {
    lookalike += LATIN_LOOKALIKES[character] ?? character;
  }
  return lookalike;
}

/** Whether a character is one that {@link asciiLookalike} replaces (after NFKC). */
export function hasLatinLookalike(character: string): boolean {
  const folded = character.normalize('NFKC').toLowerCase();
  return folded !== character || Object.hasOwn(LATIN_LOOKALIKES, character);
}
