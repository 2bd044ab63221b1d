import { describe, expect, it } from 'vitest';
import {
  closestMatch,
  editDistance,
  typoBudget,
} from '../../../../functions/bulk-import/domain/text-distance';

describe('editDistance', () => {
  it.each([
    ['email', 'email', 0],
    ['', 'abc', 3],
    ['abc', '', 3],
    ['emial', 'email', 1],
    ['phon', 'phone', 1],
    ['acme.cmo', 'acme.com', 1],
    ['gmial.com', 'gmail.com', 1],
    ['kitten', 'sitting', 3],
    ['hotmail.co', 'hotmail.com', 1],
  ])('%s → %s costs %i', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });
});

describe('closestMatch', () => {
  it('returns the nearest candidate within the budget', () => {
    expect(closestMatch('opertor', ['member', 'operator', 'tenant_admin'], 2)).toBe('operator');
  });

  it('returns nothing when every candidate is too far', () => {
    expect(closestMatch('notes', ['roles', 'groups'], 1)).toBeUndefined();
  });

  it('prefers the first of equally near candidates', () => {
    expect(closestMatch('ab', ['ac', 'bb'], 1)).toBe('ac');
  });
});

describe('typoBudget', () => {
  it('allows no typo in tiny words, one in short ones and two from six letters', () => {
    expect([2, 3, 5, 6, 20].map(typoBudget)).toEqual([0, 1, 1, 2, 2]);
  });
});
