import { describe, expect, it } from 'vitest';
import { countOf } from '../../../functions/shared/count-of';

describe('countOf', () => {
  it('writes one as singular and every other count as plural', () => {
    expect(countOf(1, 'grant')).toBe('1 grant');
    expect(countOf(0, 'grant')).toBe('0 grants');
    expect(countOf(2, 'member reference')).toBe('2 member references');
  });
});
