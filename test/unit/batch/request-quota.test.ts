import { describe, expect, it } from 'vitest';
import { quotaWindow, withinLimit } from '../../../functions/batch/domain/request-quota';

describe('quotaWindow', () => {
  it('starts on the minute and says how long until the next one', () => {
    expect(quotaWindow(new Date('2026-11-22T10:15:20.250Z'))).toEqual({
      startsAt: Date.parse('2026-11-22T10:15:00Z') / 1000,
      resetsInSeconds: 40,
    });
  });

  it('never asks to retry in less than a second', () => {
    expect(quotaWindow(new Date('2026-11-22T10:15:59.900Z')).resetsInSeconds).toBe(1);
    expect(quotaWindow(new Date('2026-11-22T10:16:00.000Z'))).toEqual({
      startsAt: Date.parse('2026-11-22T10:16:00Z') / 1000,
      resetsInSeconds: 60,
    });
  });
});

describe('withinLimit', () => {
  it('admits everything under the limit', () => {
    expect(withinLimit(20, 20, 100)).toBe(20);
    expect(withinLimit(20, 100, 100)).toBe(20);
  });

  it('admits the part that fits when a batch crosses the limit', () => {
    expect(withinLimit(20, 105, 100)).toBe(15);
  });

  it('admits none once the limit was already reached', () => {
    expect(withinLimit(20, 120, 100)).toBe(0);
    expect(withinLimit(5, 300, 100)).toBe(0);
  });

  it('two concurrent batches together never exceed the limit', () => {
    // The counter serialises them: the first sees 95 + 20, the second 115 + 20.
    expect(withinLimit(20, 115, 100) + withinLimit(20, 135, 100)).toBe(5);
  });
});
