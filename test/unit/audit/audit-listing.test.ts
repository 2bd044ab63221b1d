import { describe, expect, it } from 'vitest';
import {
  changeOf,
  daysOf,
  decodeAuditCursor,
  encodeAuditCursor,
  matchesAuditFilter,
  sourceFor,
  toAuditEntry,
  windowFor,
} from '../../../functions/audit/domain/audit-listing';
import type { AuditRecord } from '../../../functions/audit/domain/audit-record';
import { BadRequestError } from '../../../functions/shared/errors';

const record = (overrides: Partial<AuditRecord> = {}): AuditRecord => ({
  eventId: 'evt_1',
  action: 'iam.user.roles_changed',
  occurredAt: '2026-11-22T10:00:00.000Z',
  tenantId: 'acme',
  actor: { type: 'user', userId: 'u_admin', tenantId: 'acme' },
  targetId: 'user:u_2',
  correlationId: 'corr-1',
  eventVersion: 1,
  data: { userId: 'u_2', before: ['member'], after: ['operator'], version: 3 },
  ...overrides,
});

function refusal(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('sourceFor', () => {
  it('reads a target trail first, then an actor trail, else the tenant trail', () => {
    expect(sourceFor({ targetId: 'user:u_2', actorId: 'u_1' })).toEqual({
      kind: 'target',
      targetId: 'user:u_2',
    });
    expect(sourceFor({ actorId: 'u_1', type: 'iam.' })).toEqual({ kind: 'actor', actorKey: 'u_1' });
    expect(sourceFor({ type: 'iam.user.' })).toEqual({ kind: 'tenant' });
  });
});

describe('windowFor', () => {
  const now = new Date('2026-11-22T12:00:00.000Z');

  it('leaves a target or actor trail open at both ends', () => {
    expect(windowFor({ kind: 'actor', actorKey: 'u_1' }, {}, now)).toEqual({ from: '0000', to: '9999' });
    expect(
      windowFor({ kind: 'target', targetId: 't' }, { from: new Date('2026-11-01T00:00:00+02:00') }, now),
    ).toEqual({ from: '2026-10-31T22:00:00.000Z', to: '9999' });
  });

  it('bounds the tenant trail to the last week before now by default', () => {
    expect(windowFor({ kind: 'tenant' }, {}, now)).toEqual({
      from: '2026-11-15T12:00:00.000Z',
      to: '2026-11-22T12:00:00.000Z',
    });
  });

  it('accepts a month for the tenant trail and refuses more with 400 AUDIT_WINDOW_TOO_WIDE', () => {
    const to = new Date('2026-11-01T00:00:00.000Z');
    expect(windowFor({ kind: 'tenant' }, { from: new Date('2026-10-01T00:00:00.000Z'), to }, now).from).toBe(
      '2026-10-01T00:00:00.000Z',
    );
    const error = refusal(() =>
      windowFor({ kind: 'tenant' }, { from: new Date('2026-09-30T23:59:59.000Z'), to }, now),
    );
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toMatchObject({ code: 'AUDIT_WINDOW_TOO_WIDE' });
  });

  it('refuses a window that ends before it starts', () => {
    const at = new Date('2026-11-20T00:00:00.000Z');
    for (const source of [{ kind: 'tenant' as const }, { kind: 'actor' as const, actorKey: 'u' }]) {
      expect(refusal(() => windowFor(source, { from: at, to: at }, now))).toMatchObject({
        code: 'INVALID_AUDIT_WINDOW',
      });
    }
  });
});

describe('daysOf', () => {
  const window = { from: '2026-11-20T18:00:00.000Z', to: '2026-11-22T01:00:00.000Z' };

  it('lists the day partitions of the window, newest first', () => {
    expect(daysOf(window)).toEqual(['2026-11-22', '2026-11-21', '2026-11-20']);
  });

  it('starts at the day of the position a page ended on', () => {
    expect(daysOf(window, '2026-11-21T09:00:00.000Z#evt_9')).toEqual(['2026-11-21', '2026-11-20']);
  });
});

describe('matchesAuditFilter', () => {
  it('holds when every given criterion does', () => {
    expect(matchesAuditFilter(record(), {})).toBe(true);
    expect(
      matchesAuditFilter(record(), { targetId: 'user:u_2', actorId: 'u_admin', type: 'iam.user.' }),
    ).toBe(true);
  });

  it.each([
    ['another target', { targetId: 'user:u_3' }],
    ['another actor', { actorId: 'u_other' }],
    ['another type prefix', { type: 'iam.permission.' }],
  ])('fails for %s', (_label, filter) => {
    expect(matchesAuditFilter(record(), filter)).toBe(false);
  });

  it('names a system actor system:<component>', () => {
    const bySweep = record({ actor: { type: 'system', component: 'expiry-sweep' } });
    expect(matchesAuditFilter(bySweep, { actorId: 'system:expiry-sweep' })).toBe(true);
    expect(matchesAuditFilter(bySweep, { actorId: 'expiry-sweep' })).toBe(false);
  });
});

describe('audit cursor', () => {
  it('round-trips a position', () => {
    const position = '2026-11-22T10:00:00.000Z#evt_1';
    expect(decodeAuditCursor(encodeAuditCursor(position))).toBe(position);
  });

  it('refuses a token that is not a position with 400 INVALID_NEXT_TOKEN', () => {
    const forged = `${Buffer.from('{"before":"x"}').toString('base64url')}.abc`;
    for (const token of ['', 'garbage', forged, `${encodeAuditCursor('2026-11-22T10:00:00.000Z#e')}x`]) {
      expect(refusal(() => decodeAuditCursor(token))).toMatchObject({ code: 'INVALID_NEXT_TOKEN' });
    }
  });
});

describe('changeOf', () => {
  it('shows roles before and after', () => {
    expect(changeOf(record())).toEqual({ before: ['member'], after: ['operator'] });
  });

  it('shows the status a deactivation or reactivation changed', () => {
    expect(
      changeOf(
        record({ action: 'iam.user.deactivated', data: { userId: 'u_2', previousStatus: 'INVITED' } }),
      ),
    ).toEqual({ before: { status: 'INVITED' }, after: { status: 'DEACTIVATED' } });
    expect(changeOf(record({ action: 'iam.user.reactivated', data: { userId: 'u_2' } }))).toEqual({
      before: { status: 'DEACTIVATED' },
      after: { status: 'ACTIVE' },
    });
  });

  it('shows none for an event that carries none', () => {
    expect(
      changeOf(
        record({ action: 'iam.user.profile_updated', data: { userId: 'u_2', changedFields: ['locale'] } }),
      ),
    ).toBeUndefined();
  });
});

describe('toAuditEntry', () => {
  it('says who did what to whom, when and from which request', () => {
    expect(toAuditEntry(record())).toEqual({
      eventId: 'evt_1',
      type: 'iam.user.roles_changed',
      occurredAt: '2026-11-22T10:00:00.000Z',
      actor: { type: 'user', userId: 'u_admin' },
      targetId: 'user:u_2',
      correlationId: 'corr-1',
      change: { before: ['member'], after: ['operator'] },
      data: { userId: 'u_2', before: ['member'], after: ['operator'], version: 3 },
    });
  });
});
