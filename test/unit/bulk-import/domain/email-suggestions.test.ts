import { describe, expect, it } from 'vitest';
import { domainOf, EmailDomainTally } from '../../../../functions/bulk-import/domain/email-suggestions';

function tally(domains: Record<string, number>): EmailDomainTally {
  const result = new EmailDomainTally();
  for (const [domain, rows] of Object.entries(domains)) {
    for (let row = 0; row < rows; row++) result.add(`user${row}@${domain}`);
  }
  return result;
}

describe('domainOf', () => {
  it('is what follows the last @', () => {
    expect(domainOf('ada@example.com')).toBe('example.com');
  });
});

describe('EmailDomainTally', () => {
  it("suggests the file's common domain for a rare near miss", () => {
    expect(tally({ 'acme.com': 40, 'acme.cmo': 1 }).suggest('bob@acme.cmo')).toEqual({
      domain: 'acme.com',
      basis: 'file',
      rows: 40,
    });
  });

  it('leaves two genuinely common domains alone, however close', () => {
    const domains = tally({ 'acme.com': 40, 'acme.co': 30 });
    expect(domains.suggest('bob@acme.co')).toBeUndefined();
    expect(domains.suggest('bob@acme.com')).toBeUndefined();
  });

  it('needs the common domain to be used on at least three rows', () => {
    expect(tally({ 'acme.com': 2, 'acme.cmo': 0 }).suggest('bob@acme.cmo')).toBeUndefined();
    expect(tally({ 'acme.com': 5 }).suggest('bob@acme.cmo')).toMatchObject({ domain: 'acme.com' });
  });

  it('ignores domains more than two edits away', () => {
    expect(tally({ 'acme.com': 40 }).suggest('bob@acne.org')).toBeUndefined();
  });

  it('suggests a well-known provider for its near misses', () => {
    const domains = tally({ 'acme.com': 40 });
    expect(domains.suggest('bob@gmial.com')).toEqual({ domain: 'gmail.com', basis: 'provider' });
    expect(domains.suggest('bob@hotmail.co')).toEqual({ domain: 'hotmail.com', basis: 'provider' });
    expect(domains.suggest('bob@gmail.com')).toBeUndefined();
  });

  it('allows only one edit in a short domain', () => {
    expect(tally({ 'ab.io': 40 }).suggest('bob@xy.io')).toBeUndefined();
    expect(tally({ 'ab.io': 40 }).suggest('bob@ab.ie')).toMatchObject({ domain: 'ab.io' });
  });

  it('recomputes after more addresses are counted', () => {
    const domains = tally({ 'acme.com': 2, 'acme.cmo': 1 });
    expect(domains.suggest('bob@acme.cmo')).toBeUndefined();
    for (let row = 0; row < 10; row++) domains.add(`late${row}@acme.com`);
    expect(domains.suggest('bob@acme.cmo')).toMatchObject({ domain: 'acme.com', rows: 12 });
  });
});
