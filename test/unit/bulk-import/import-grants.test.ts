import { describe, expect, it } from 'vitest';
import type { GrantStatus } from '../../../functions/bulk-import/adapters/pending-grant-repository';
import type { ImportRow } from '../../../functions/bulk-import/domain/import-row';
import type { RowOutcome } from '../../../functions/bulk-import/domain/row-outcome';
import {
  grantKey,
  importGrants,
  sensitiveRolesOf,
  tallyGrants,
} from '../../../functions/bulk-import/use-cases/import-grants';

const row = (number: number, rolesPendingApproval: string[]): ImportRow => ({
  row: number,
  email: `r${number}@acme.test`,
  groups: [],
  roles: ['member'],
  rolesPendingApproval,
});
const created = (number: number): RowOutcome => ({
  row: number,
  email: `r${number}@acme.test`,
  userId: `u_${number}`,
  status: 'CREATED',
});
const rows = [row(2, ['tenant_admin', 'security_approver']), row(3, []), row(4, ['tenant_admin'])];
const latest = new Map<number, RowOutcome>([
  [2, created(2)],
  [3, created(3)],
  [4, { row: 4, email: 'r4@acme.test', status: 'FAILED', code: 'ALREADY_EXISTS' }],
]);

describe('importGrants', () => {
  it('lists the sensitive roles of created rows only', () => {
    expect(importGrants(rows, latest)).toEqual([
      { row: 2, userId: 'u_2', role: 'tenant_admin' },
      { row: 2, userId: 'u_2', role: 'security_approver' },
    ]);
  });
});

describe('tallyGrants and sensitiveRolesOf', () => {
  const grants = importGrants(rows, latest);
  const states = (admin: GrantStatus, approver: GrantStatus) =>
    new Map([
      [grantKey({ userId: 'u_2', role: 'tenant_admin' }), admin],
      [grantKey({ userId: 'u_2', role: 'security_approver' }), approver],
    ]);

  it('counts rows and grants still waiting', () => {
    expect(tallyGrants(grants, states('PENDING_APPROVAL', 'PENDING_APPROVAL'))).toEqual({
      rowsAwaiting: 1,
      grantsAwaiting: 2,
      grantsApproved: 0,
      grantsRejected: 0,
    });
    expect(sensitiveRolesOf(2, grants, states('PENDING_APPROVAL', 'PENDING_APPROVAL'))).toBe('pending');
    expect(sensitiveRolesOf(3, grants, states('PENDING_APPROVAL', 'PENDING_APPROVAL'))).toBe('none');
  });

  it('counts settled grants by outcome, a missing state counting as pending', () => {
    expect(tallyGrants(grants, states('ACTIVE', 'ACTIVE'))).toMatchObject({
      grantsAwaiting: 0,
      grantsApproved: 2,
    });
    expect(sensitiveRolesOf(2, grants, states('ACTIVE', 'ACTIVE'))).toBe('approved');
    expect(sensitiveRolesOf(2, grants, states('REJECTED', 'REJECTED'))).toBe('rejected');
    expect(sensitiveRolesOf(2, grants, states('ACTIVE', 'REJECTED'))).toBe('mixed');
    expect(tallyGrants(grants, new Map())).toMatchObject({ rowsAwaiting: 1, grantsAwaiting: 2 });
  });
});
