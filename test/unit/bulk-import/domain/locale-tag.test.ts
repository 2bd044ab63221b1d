import { describe, expect, it } from 'vitest';
import { checkLocale } from '../../../../functions/bulk-import/domain/locale-tag';

const TAG_HINT = 'Use a language tag such as en-GB, de-DE, fr or pt-BR.';

describe('checkLocale', () => {
  it.each([
    ['en-GB', 'en-GB'],
    ['en_gb', 'en-GB'],
    [' DE-de ', 'de-DE'],
    ['fr', 'fr'],
    ['zh-hant-tw', 'zh-Hant-TW'],
    ['es-419', 'es-419'],
  ])('canonicalises %j to %s', (raw, locale) => {
    expect(checkLocale(raw)).toEqual({ valid: true, locale });
  });

  it.each([
    ['English', 'is a language name, not a language tag', `Did you mean en? ${TAG_HINT}`],
    ['german', 'is a language name, not a language tag', `Did you mean de? ${TAG_HINT}`],
    ['en GB', 'is not a language tag', TAG_HINT],
    ['en-GB, fr', 'is not a language tag', TAG_HINT],
    ['xx-GB', 'has the unknown language "xx"', TAG_HINT],
    ['en-QQ', 'has the unknown region "QQ"', TAG_HINT],
    ['klingon', 'has the unknown language "klingon"', TAG_HINT],
    ['klingonish', 'is not a language tag', TAG_HINT],
  ])('refuses %j: %s', (raw, problem, suggestion) => {
    expect(checkLocale(raw)).toEqual({ valid: false, problem, suggestion });
  });

  it('gives the same verdict when asked again (remembered)', () => {
    expect(checkLocale('en_gb')).toEqual(checkLocale('en_gb'));
  });
});
