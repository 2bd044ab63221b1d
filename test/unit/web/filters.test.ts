import { describe, expect, it } from 'vitest';
import { describeSubject, justificationProblem } from '../../../web/src/lib/approvals';
import { auditQuery, describeChange, NO_AUDIT_FILTERS } from '../../../web/src/lib/audit';
import { pageOf, pathOf } from '../../../web/src/lib/routes';
import { ifMatch, NO_FILTERS, parseRoles, userQuery } from '../../../web/src/lib/users';

describe('users', () => {
  it('leaves blank criteria out of the query (the route refuses empty ones) and trims the rest', () => {
    expect(userQuery(NO_FILTERS)).toEqual({});
    expect(userQuery({ ...NO_FILTERS, q: '  ann ', status: 'DEACTIVATED', department: ' ' })).toEqual({
      q: 'ann',
      status: 'DEACTIVATED',
    });
  });

  it('quotes the version as the ETag', () => {
    expect(ifMatch(7)).toBe('"7"');
  });

  it('reads roles separated by commas or spaces, without blanks or repeats', () => {
    expect(parseRoles(' operator, member  operator,,')).toEqual(['operator', 'member']);
    expect(parseRoles('')).toEqual([]);
  });
});

describe('audit', () => {
  const toInstant = (local: string) => `${local}:00.000Z`;

  it('sends only the criteria given, with the window as instants', () => {
    expect(auditQuery(NO_AUDIT_FILTERS, toInstant)).toEqual({});
    expect(
      auditQuery(
        { targetId: ' user:u_1 ', actorId: '', type: 'iam.user.', from: '2026-11-01T09:00', to: '' },
        toInstant,
      ),
    ).toEqual({ targetId: 'user:u_1', type: 'iam.user.', from: '2026-11-01T09:00:00.000Z' });
  });

  it('shows lists joined (roles), objects as field: value (status), the rest as JSON', () => {
    expect(describeChange({ before: ['member'], after: ['member', 'operator'] })).toBe(
      'member → member, operator',
    );
    expect(describeChange({ before: [], after: ['operator'] })).toBe('none → operator');
    expect(describeChange({ before: { status: 'ACTIVE' }, after: { status: 'DEACTIVATED' } })).toBe(
      'status: ACTIVE → status: DEACTIVATED',
    );
    expect(describeChange({ before: null, after: 3 })).toBe('null → 3');
    expect(describeChange(undefined)).toBe('');
  });
});

describe('approvals', () => {
  it('needs a justification for high risk only, and never one past 2,000 characters', () => {
    expect(justificationProblem('high', '  ')).toMatch(/needs a justification/);
    expect(justificationProblem('high', 'Quarterly onboarding, ticket 42')).toBeUndefined();
    expect(justificationProblem('low', '')).toBeUndefined();
    expect(justificationProblem('medium', 'x'.repeat(2001))).toMatch(/2,000/);
  });

  it('describes both kinds of subject', () => {
    expect(describeSubject({ type: 'bulk_import', taskId: 't_1', run: 2 })).toBe('Bulk import t_1, run 2');
    expect(describeSubject({ type: 'batch_assign', assignmentId: 'a_1' })).toBe('Batch assignment a_1');
  });
});

describe('routes', () => {
  it('maps paths under the base to pages, the wizard being home', () => {
    expect(pageOf('/console/', '/console/')).toBe('import');
    expect(pageOf('/console/users', '/console/')).toBe('users');
    expect(pageOf('/console/approvals/', '/console/')).toBe('approvals');
    expect(pageOf('/console/nowhere', '/console/')).toBe('import');
    expect(pageOf('/audit', '/')).toBe('audit');
  });

  it('builds each page path from the base, and reads it back', () => {
    for (const page of ['import', 'users', 'approvals', 'audit', 'sign-in'] as const) {
      expect(pageOf(pathOf(page, '/console/'), '/console/')).toBe(page);
    }
  });
});
