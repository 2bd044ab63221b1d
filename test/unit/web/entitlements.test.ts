import { describe, expect, it } from 'vitest';
import {
  describeSource,
  describeStatus,
  describeValidity,
  shortDate,
} from '../../../web/src/lib/entitlements';

const NOW = new Date('2026-11-22T10:00:00Z');
const DAY = 86_400_000;
const fromNow = (ms: number) => new Date(NOW.getTime() + ms).toISOString();
const grant = (overrides: { status?: string; validFrom?: string; validUntil?: string } = {}) =>
  ({
    status: 'ACTIVE' as const,
    validFrom: '2026-11-01T00:00:00Z',
    ...overrides,
  }) as Parameters<typeof describeValidity>[0];

describe('describeValidity', () => {
  it('reads the time left in whole days, and in hours under a day', () => {
    expect(describeValidity(grant({ validUntil: fromNow(12 * DAY + 5_000) }), NOW, 'UTC')).toBe(
      'expires in 12 days',
    );
    expect(describeValidity(grant({ validUntil: fromNow(DAY) }), NOW, 'UTC')).toBe('expires in 1 day');
    expect(describeValidity(grant({ validUntil: fromNow(5 * 3_600_000 - 60_000) }), NOW, 'UTC')).toBe(
      'expires in 5 hours',
    );
    expect(describeValidity(grant({ validUntil: fromNow(60_000) }), NOW, 'UTC')).toBe('expires in 1 hour');
  });

  it('says "no expiry" for an open-ended grant', () => {
    expect(describeValidity(grant(), NOW, 'UTC')).toBe('no expiry');
    expect(describeValidity(grant({ status: 'PENDING_APPROVAL' }), NOW, 'UTC')).toBe('no expiry');
  });

  it('names the day an expired grant ended, stored as expired or past its end but not swept yet', () => {
    expect(
      describeValidity(grant({ status: 'EXPIRED', validUntil: '2026-11-03T09:00:00Z' }), NOW, 'UTC'),
    ).toBe('expired 3 Nov');
    expect(describeValidity(grant({ validUntil: NOW.toISOString() }), NOW, 'UTC')).toBe('expired 22 Nov');
    expect(
      describeValidity(grant({ status: 'EXPIRED', validUntil: '2025-12-24T00:00:00Z' }), NOW, 'UTC'),
    ).toBe('expired 24 Dec 2025');
  });

  it('names the start of a grant not yet begun', () => {
    expect(
      describeValidity(
        grant({ validFrom: '2026-12-05T00:00:00Z', validUntil: '2027-01-05T00:00:00Z' }),
        NOW,
        'UTC',
      ),
    ).toBe('starts 5 Dec, until 5 Jan 2027');
  });

  it('reads a revoked or rejected grant as what it was, never as expiring', () => {
    expect(describeValidity(grant({ status: 'REVOKED', validUntil: fromNow(30 * DAY) }), NOW, 'UTC')).toBe(
      'was until 22 Dec',
    );
    expect(describeValidity(grant({ status: 'REJECTED' }), NOW, 'UTC')).toBe('had no expiry');
  });

  it('reads the day in the given time zone', () => {
    expect(shortDate(new Date('2026-11-02T23:30:00Z'), NOW, 'UTC')).toBe('2 Nov');
    expect(shortDate(new Date('2026-11-02T23:30:00Z'), NOW, 'Europe/Berlin')).toBe('3 Nov');
  });
});

describe('describeStatus', () => {
  it('reads an ACTIVE grant by whether it holds now', () => {
    const active = { status: 'ACTIVE' as const, validFrom: '2026-11-01T00:00:00Z' };
    expect(describeStatus({ ...active, inForce: true }, NOW)).toEqual({ label: 'active', tone: 'good' });
    expect(describeStatus({ ...active, inForce: false }, NOW)).toEqual({ label: 'lapsed', tone: 'ended' });
    expect(describeStatus({ ...active, inForce: false, validFrom: fromNow(DAY) }, NOW)).toEqual({
      label: 'not started',
      tone: 'waiting',
    });
  });

  it('labels every other status', () => {
    const of = (status: 'PENDING_APPROVAL' | 'EXPIRED' | 'REVOKED' | 'REJECTED') =>
      describeStatus({ status, inForce: false, validFrom: '2026-11-01T00:00:00Z' }, NOW);
    expect(of('PENDING_APPROVAL')).toEqual({ label: 'pending approval', tone: 'waiting' });
    expect(of('EXPIRED')).toEqual({ label: 'expired', tone: 'ended' });
    expect(of('REVOKED')).toEqual({ label: 'revoked', tone: 'ended' });
    expect(of('REJECTED')).toEqual({ label: 'rejected', tone: 'ended' });
  });
});

describe('describeSource', () => {
  it('names the assignment, the import row, or a direct grant', () => {
    expect(describeSource({ type: 'batch_assign', assignmentId: 'asg_1' })).toBe('batch assignment asg_1');
    expect(describeSource({ type: 'bulk_import', taskId: 't_1', row: 12 })).toBe('import t_1, row 12');
    expect(describeSource({ type: 'direct' })).toBe('granted directly');
  });
});
