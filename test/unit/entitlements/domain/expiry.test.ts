import { describe, expect, it } from 'vitest';
import { decideExpiry, nextDueAt } from '../../../../functions/entitlements/domain/expiry';

const HOUR = 3_600_000;
const END = Date.parse('2026-03-31T12:00:00.000Z');
const validUntil = new Date(END).toISOString();
const at = (hoursBeforeEnd: number) => new Date(END - hoursBeforeEnd * HOUR);
const THRESHOLDS = [168, 24];

describe('nextDueAt', () => {
  it('is the furthest reminder still ahead, for a fresh grant', () => {
    expect(nextDueAt({ validUntil }, THRESHOLDS, at(30 * 24))).toEqual(at(168));
  });

  it('skips reminders already behind the grant when it is made', () => {
    expect(nextDueAt({ validUntil }, THRESHOLDS, at(48))).toEqual(at(24));
    expect(nextDueAt({ validUntil }, THRESHOLDS, at(12))).toEqual(at(0));
  });

  it('only looks at thresholds nearer the end than the nearest reminder sent', () => {
    expect(nextDueAt({ validUntil, remindersSent: [168] }, THRESHOLDS, at(100))).toEqual(at(24));
    expect(nextDueAt({ validUntil, remindersSent: [24] }, [168, 24], at(30 * 24))).toEqual(at(0));
  });

  it('takes thresholds in any order, once each', () => {
    expect(nextDueAt({ validUntil }, [24, 168, 24], at(200))).toEqual(at(168));
  });

  it('has nothing to time without an end, or with an unreadable one', () => {
    expect(nextDueAt({}, THRESHOLDS, at(200))).toBeUndefined();
    expect(nextDueAt({ validUntil: 'soon' }, THRESHOLDS, at(200))).toBeUndefined();
  });

  it('is the end itself when no reminders are configured', () => {
    expect(nextDueAt({ validUntil }, [], at(200))).toEqual(at(0));
  });
});

describe('decideExpiry', () => {
  it('revokes at the end and after it', () => {
    expect(decideExpiry({ validUntil }, THRESHOLDS, at(0))).toEqual({ action: 'revoke' });
    expect(decideExpiry({ validUntil, remindersSent: [] }, THRESHOLDS, at(-5))).toEqual({ action: 'revoke' });
  });

  it('fails closed on an unreadable end', () => {
    expect(decideExpiry({ validUntil: 'never' }, THRESHOLDS, at(200))).toEqual({ action: 'revoke' });
  });

  it('sends the 7-day reminder, then waits for the 1-day one', () => {
    expect(decideExpiry({ validUntil }, THRESHOLDS, at(167))).toEqual({
      action: 'remind',
      hours: 168,
      nextDueAt: at(24),
    });
    expect(decideExpiry({ validUntil, remindersSent: [168] }, THRESHOLDS, at(23))).toEqual({
      action: 'remind',
      hours: 24,
      nextDueAt: at(0),
    });
  });

  it('sends only the nearest reminder when a late sweep passed several', () => {
    expect(decideExpiry({ validUntil }, THRESHOLDS, at(10))).toEqual({
      action: 'remind',
      hours: 24,
      nextDueAt: at(0),
    });
  });

  it('never sends a reminder twice, nor one further out than a reminder sent', () => {
    expect(decideExpiry({ validUntil, remindersSent: [24] }, THRESHOLDS, at(10))).toEqual({
      action: 'wait',
      nextDueAt: at(0),
    });
  });

  it('waits when found before anything is due', () => {
    expect(decideExpiry({ validUntil }, THRESHOLDS, at(200))).toEqual({ action: 'wait', nextDueAt: at(168) });
  });
});
