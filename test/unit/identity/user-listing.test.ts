import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { User } from '../../../functions/identity/domain/user';
import {
  decodeUserCursor,
  encodeUserCursor,
  isUnfiltered,
  matchesUserFilter,
} from '../../../functions/identity/domain/user-listing';
import { BadRequestError } from '../../../functions/shared/errors';

const ann: User = {
  tenantId: 'acme',
  userId: 'u_01',
  email: 'ann.lee@acme.test',
  givenName: 'Ann',
  familyName: 'Lee',
  displayName: 'Annie',
  department: 'Finance',
  status: 'ACTIVE',
  roles: ['operator'],
  groups: ['payroll'],
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  version: 1,
};

describe('matchesUserFilter', () => {
  it('keeps every user when nothing is asked', () => {
    expect(isUnfiltered({})).toBe(true);
    expect(isUnfiltered({ q: undefined })).toBe(true);
    expect(isUnfiltered({ role: 'operator' })).toBe(false);
    expect(matchesUserFilter(ann, {})).toBe(true);
  });

  it('matches status exactly', () => {
    expect(matchesUserFilter(ann, { status: 'ACTIVE' })).toBe(true);
    expect(matchesUserFilter(ann, { status: 'INVITED' })).toBe(false);
  });

  it('matches a role bound directly, not one it lacks', () => {
    expect(matchesUserFilter(ann, { role: 'operator' })).toBe(true);
    expect(matchesUserFilter(ann, { role: 'tenant_admin' })).toBe(false);
  });

  it('matches a group the user is in', () => {
    expect(matchesUserFilter(ann, { group: 'payroll' })).toBe(true);
    expect(matchesUserFilter(ann, { group: 'sales' })).toBe(false);
  });

  it('matches the whole department ignoring case, never a part of it', () => {
    expect(matchesUserFilter(ann, { department: 'finance' })).toBe(true);
    expect(matchesUserFilter(ann, { department: ' FINANCE ' })).toBe(true);
    expect(matchesUserFilter(ann, { department: 'Fin' })).toBe(false);
    expect(matchesUserFilter({ ...ann, department: undefined }, { department: 'Finance' })).toBe(false);
  });

  it.each([
    ['an email prefix', 'ANN.L'],
    ['a given name prefix', 'an'],
    ['a family name prefix', 'LE'],
    ['a display name prefix', 'annie'],
    ['a full name prefix', 'ann l'],
  ])('finds the user by %s, ignoring case', (_label, q) => {
    expect(matchesUserFilter(ann, { q })).toBe(true);
  });

  it('matches a prefix only, never the middle of a text', () => {
    expect(matchesUserFilter(ann, { q: 'acme' })).toBe(false);
    expect(matchesUserFilter(ann, { q: 'nnie' })).toBe(false);
  });

  it('matches a user without names by email only', () => {
    const bare: User = { ...ann, givenName: undefined, familyName: undefined, displayName: undefined };
    expect(matchesUserFilter(bare, { q: 'ann.' })).toBe(true);
    expect(matchesUserFilter(bare, { q: 'lee' })).toBe(false);
  });

  it('needs every criterion to hold', () => {
    expect(matchesUserFilter(ann, { status: 'ACTIVE', role: 'operator', q: 'ann' })).toBe(true);
    expect(matchesUserFilter(ann, { status: 'ACTIVE', role: 'operator', q: 'bob' })).toBe(false);
  });
});

describe('user cursor', () => {
  const position = { email: 'ann.lee@acme.test', userId: 'u_01' };

  it('round-trips a position', () => {
    expect(decodeUserCursor(encodeUserCursor(position))).toEqual(position);
  });

  it('round-trips an email with any characters', () => {
    const odd = { email: "o'brien+tag@exämple.test", userId: 'u_02' };
    expect(decodeUserCursor(encodeUserCursor(odd))).toEqual(odd);
  });

  function refusal(token: string): unknown {
    try {
      decodeUserCursor(token);
    } catch (error) {
      return error;
    }
    return undefined;
  }

  it.each([
    ['empty', ''],
    ['garbage', 'not-a-token'],
    ['without its digest', encodeUserCursor(position).split('.')[0] ?? ''],
    ['cut short', encodeUserCursor(position).slice(0, -3)],
    ['with an extra part', `${encodeUserCursor(position)}.x`],
    ['too long', `${'a'.repeat(2000)}.b`],
  ])('refuses a token %s with 400 INVALID_NEXT_TOKEN', (_label, token) => {
    const error = refusal(token);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toMatchObject({ code: 'INVALID_NEXT_TOKEN' });
  });

  it('refuses a token whose position was edited', () => {
    const [, check] = encodeUserCursor(position).split('.');
    const edited = Buffer.from(JSON.stringify({ ...position, email: 'zed@acme.test' })).toString('base64url');
    expect(refusal(`${edited}.${check}`)).toMatchObject({ code: 'INVALID_NEXT_TOKEN' });
  });

  it('refuses a token with a matching digest that holds no position', () => {
    for (const payload of [JSON.stringify({ email: 'a@b.test' }), '[1,2]', '{']) {
      const check = createHash('sha256').update(payload).digest('base64url').slice(0, 16);
      const token = `${Buffer.from(payload).toString('base64url')}.${check}`;
      expect(refusal(token)).toMatchObject({ code: 'INVALID_NEXT_TOKEN' });
    }
  });
});
