import { describe, expect, it } from 'vitest';
import { checkEmailAddress, describeCharacter } from '../../../../functions/bulk-import/domain/email-address';

describe('checkEmailAddress', () => {
  it.each([
    ['ada@example.com', 'ada@example.com'],
    ['  Ada.Lovelace@Example.COM ', 'ada.lovelace@example.com'],
    ["o'brien+hr@mail.example.co.uk", "o'brien+hr@mail.example.co.uk"],
    ['x@xn--bcher-kva.example', 'x@xn--bcher-kva.example'],
    ['a_b-c@sub-domain.example.io', 'a_b-c@sub-domain.example.io'],
  ])('accepts and normalises %j', (raw, email) => {
    expect(checkEmailAddress(raw)).toEqual({ valid: true, email });
  });

  it.each([
    ['ada lovelace@example.com', 'it contains a space', 'adalovelace@example.com'],
    ['ada\t@example.com', 'it contains a tab', 'ada@example.com'],
    ['ada\u00a0x@example.com', 'it contains a non-breaking space', 'adax@example.com'],
    ['ada\u200b@example.com', 'it contains an invisible character (U+200B)', 'ada@example.com'],
    ['adä@example.com', 'it contains "ä", which addresses here cannot have', undefined],
    ['ada.example.com', 'it has no @', undefined],
    ['ada@@example.com', 'it has more than one @', undefined],
    ['@example.com', 'it has nothing before the @', undefined],
    ['ada@', 'it has nothing after the @', undefined],
    [
      '.ada@example.com',
      'the part before the @ starts or ends with a dot, or has two dots in a row',
      undefined,
    ],
    [
      'ad..a@example.com',
      'the part before the @ starts or ends with a dot, or has two dots in a row',
      'ad.a@example.com',
    ],
    ['ad(a)@example.com', 'the part before the @ contains "("', undefined],
    [`${'a'.repeat(65)}@example.com`, 'the part before the @ is longer than 64 characters', undefined],
    ['ada@example', 'its domain "example" has no dot (e.g. company.com)', undefined],
    ['ada@example,com', 'its domain "example,com" contains ","', 'ada@example.com'],
    ['ada@example..com', 'its domain "example..com" has an empty part between dots', 'ada@example.com'],
    ['ada@example.com.', 'its domain "example.com." has an empty part between dots', 'ada@example.com'],
    ['ada@exa_mple.com', 'its domain "exa_mple.com" contains "_"', undefined],
    [
      'ada@-example.com',
      'its domain part "-example" starts or ends with "-" or is longer than 63 characters',
      undefined,
    ],
    ['ada@example.c0m', 'its domain ends in ".c0m", which is not a top-level domain', undefined],
    ['ada@example.c', 'its domain ends in ".c", which is not a top-level domain', undefined],
    ['ada@10.0.0.1', 'its domain ends in ".1", which is not a top-level domain', undefined],
    ['Ada Lovelace <ada@example.com>', 'it contains a space', 'ada@example.com'],
    ['mailto:ada@example.com', 'the part before the @ contains ":"', 'ada@example.com'],
  ])('refuses %j: %s', (raw, problem, correction) => {
    expect(checkEmailAddress(raw)).toEqual({ valid: false, problem, ...(correction ? { correction } : {}) });
  });

  it('refuses a domain longer than 253 characters', () => {
    const domain = `${Array.from({ length: 5 }, () => 'a'.repeat(60)).join('.')}.com`;
    expect(checkEmailAddress(`a@${domain}`)).toMatchObject({
      valid: false,
      problem: 'its domain is longer than 253 characters',
    });
  });
});

describe('describeCharacter', () => {
  it('quotes printable characters and names invisible ones by code point', () => {
    expect(describeCharacter('ä')).toBe('"ä"');
    expect(describeCharacter('\u0007')).toBe('an invisible character (U+0007)');
  });
});

describe('checkEmailAddress: look-alike characters, international domains, plus-addressing', () => {
  it.each([
    ['ana@pаypal.com', 'ana@paypal.com', '"а" (Cyrillic U+0430), which looks like "a"'],
    ['ana＠corp.com', 'ana@corp.com', '"＠" (U+FF20), which looks like "@"'],
    ['ａｎａ@corp.com', 'ana@corp.com', '"ａ" (U+FF41), which looks like "a"'],
    ['аna@corp.com', 'ana@corp.com', '"а" (Cyrillic U+0430), which looks like "a"'],
    ['ana@gοοgle.com', 'ana@google.com', '"ο" (Greek U+03BF), which looks like "o"'],
    ['ana@corp。com', 'ana@corp.com', '"。" (U+3002), which looks like "."'],
    ['ana@xn--pypal-4ve.com', 'ana@paypal.com', '"а" (Cyrillic U+0430), which looks like "a"'],
  ])('refuses %j as imitating %s', (raw, correction, character) => {
    expect(checkEmailAddress(raw)).toEqual({
      valid: false,
      problem: `it contains ${character} but is another character`,
      correction,
      lookalike: true,
    });
  });

  it('refuses a domain label that mixes scripts, suggesting the Latin spelling', () => {
    expect(checkEmailAddress('ana@pаypal.рф')).toEqual({
      valid: false,
      problem: 'its domain part "pаypal" mixes Latin and Cyrillic letters',
      lookalike: true,
    });
    expect(checkEmailAddress('ana@münchenбанк.de')).toMatchObject({
      valid: false,
      problem: 'its domain part "münchenбанк" mixes Latin and Cyrillic letters',
      lookalike: true,
    });
  });

  it('refuses a label written wholly in letters that imitate Latin ones', () => {
    expect(checkEmailAddress('ana@аррӏе.рф')).toEqual({
      valid: false,
      problem: 'its domain part "аррӏе" is written in Cyrillic letters that imitate Latin ones',
      lookalike: true,
    });
  });

  it('refuses a look-alike in the part before the @ even when the rest has no ASCII twin', () => {
    expect(checkEmailAddress('аna@пример.рф')).toMatchObject({ valid: false, lookalike: true });
  });

  it.each([
    ['ana@müller.de', 'ana@xn--mller-kva.de'],
    ['Ana@MÜLLER.de', 'ana@xn--mller-kva.de'],
    ['ana@xn--mller-kva.de', 'ana@xn--mller-kva.de'],
    ['ana@пример.рф', 'ana@xn--e1afmkfd.xn--p1ai'],
    ['ana@例え.jp', 'ana@xn--r8jz45g.jp'],
    ['ana@日本語とかな.jp', 'ana@xn--u8jxch5785czlbtz6h.jp'],
    ['ana@москва.рф', 'ana@xn--80adxhks.xn--p1ai'],
  ])('accepts the single-script international domain %j, stored as its A-label %s', (raw, email) => {
    expect(checkEmailAddress(raw)).toEqual({ valid: true, email });
  });

  it('keeps a plus-addressed mailbox as written, a mailbox distinct from the one without the tag', () => {
    expect(checkEmailAddress('Ana+IT@Corp.com')).toEqual({ valid: true, email: 'ana+it@corp.com' });
    expect(checkEmailAddress('ana+it+eu@corp.com')).toEqual({ valid: true, email: 'ana+it+eu@corp.com' });
    expect(checkEmailAddress('ana@corp.com')).toEqual({ valid: true, email: 'ana@corp.com' });
  });

  it('still refuses other non-ASCII before the @, without calling it a disguise', () => {
    expect(checkEmailAddress('josé@corp.com')).toEqual({
      valid: false,
      problem: 'it contains "é", which addresses here cannot have',
    });
  });
});
