import { describe, expect, it } from 'vitest';
import { createAccessResolver } from '../../../../functions/bulk-import/domain/role-assignment';
import type { RowCheck } from '../../../../functions/bulk-import/domain/row-rules';
import type { ValidationSettings } from '../../../../functions/bulk-import/domain/validation-ports';

const ROW = 4;
const settings: ValidationSettings = {
  maxRows: 100,
  approvalRoles: new Set(['tenant_admin', 'superuser']),
  knownRoles: new Set(['member', 'operator', 'tenant_admin', 'superuser', 'security_approver']),
  knownGroups: new Set(['Engineering', 'London', 'Sales, EMEA']),
  rolePolicy: {
    rules: [
      { department: 'IT', roles: ['operator', 'superuser'] },
      { jobFamily: 'Audit', roles: ['security_approver'] },
    ],
    fallbackRoles: ['member'],
  },
};

function request(fields: RowCheck['fields'], roles: string[] = [], groups: string[] = []): RowCheck {
  return { fields, requestedRoles: roles, requestedGroups: groups, issues: [] };
}

describe('createAccessResolver', () => {
  const resolve = createAccessResolver(settings);

  it('grants the default roles plus the requested ones, without repeats', () => {
    expect(resolve(ROW, request({ department: 'Sales' }, ['operator', 'member']))).toEqual({
      roles: ['member', 'operator'],
      rolesPendingApproval: [],
      groups: [],
      issues: [],
    });
  });

  it('holds a requested approval role back as pending, with a warning', () => {
    const access = resolve(ROW, request({}, ['tenant_admin']));
    expect(access.roles).toEqual(['member']);
    expect(access.rolesPendingApproval).toEqual(['tenant_admin']);
    expect(access.issues).toEqual([
      {
        row: ROW,
        column: 'roles',
        code: 'REQUIRES_APPROVAL',
        severity: 'warning',
        message:
          'Role tenant_admin needs an approval: the user is created now and gets the role once a security approver approves it.',
        suggestion:
          'Add an approval note when you commit the import, or remove tenant_admin from the row if it is not needed.',
      },
    ]);
  });

  it('holds a sensitive default role back too, naming the policy rule', () => {
    const access = resolve(ROW, request({ department: 'it' }));
    expect(access.roles).toEqual(['operator']);
    expect(access.rolesPendingApproval).toEqual(['superuser']);
    expect(access.issues).toEqual([
      {
        row: ROW,
        column: 'department',
        code: 'REQUIRES_APPROVAL',
        severity: 'warning',
        message:
          'Role superuser, from the default role policy\'s rule for department "it", needs an approval: the user is created now and gets the role once approved.',
        suggestion:
          'Add an approval note when you commit the import, or take superuser out of the default role policy (PUT /internal/iam/role-policies/default).',
      },
    ]);
  });

  it('names the job family column when a job-family rule gave the role', () => {
    const strict = createAccessResolver({
      ...settings,
      approvalRoles: new Set(['security_approver']),
    });
    expect(strict(ROW, request({ jobFamily: 'Audit' })).issues[0]?.column).toBe('job_family');
  });

  it('names no column when the fallback gave the sensitive role', () => {
    const risky = createAccessResolver({
      ...settings,
      rolePolicy: { rules: [], fallbackRoles: ['tenant_admin'] },
    });
    const access = risky(ROW, request({}));
    expect(access.rolesPendingApproval).toEqual(['tenant_admin']);
    expect(access.issues[0]).toMatchObject({ column: null, code: 'REQUIRES_APPROVAL' });
    expect(access.issues[0]?.message).toContain('from the fallback roles of the default role policy');
  });

  it('matches role names in any case and keeps the tenant spelling', () => {
    expect(resolve(ROW, request({}, ['OPERATOR'])).roles).toEqual(['member', 'operator']);
  });

  it.each([
    ['opertor', 'Did you mean operator?'],
    ['admin', 'Did you mean tenant_admin?'],
    ['operator member', 'Separate entries with ; (operator;member).'],
    [
      'wizard',
      'Remove it, or create the role before importing. Known roles: member, operator, tenant_admin, superuser, security_approver.',
    ],
  ])('refuses the unknown role %j: %s', (role, suggestion) => {
    expect(resolve(ROW, request({}, [role])).issues).toEqual([
      {
        row: ROW,
        column: 'roles',
        code: 'UNKNOWN_ROLE',
        severity: 'error',
        message: `Role "${role}" does not exist in this tenant.`,
        suggestion,
      },
    ]);
  });

  it('does not list the known roles when there are many', () => {
    const many = createAccessResolver({
      ...settings,
      knownRoles: new Set(['member', ...Array.from({ length: 10 }, (_, index) => `role_${index}`)]),
    });
    expect(many(ROW, request({}, ['wizard'])).issues[0]?.suggestion).toBe(
      'Remove it, or create the role before importing.',
    );
  });

  it('resolves groups in any case to the tenant spelling', () => {
    expect(resolve(ROW, request({}, [], ['engineering', 'Sales, EMEA', 'ENGINEERING'])).groups).toEqual([
      'Engineering',
      'Sales, EMEA',
    ]);
  });

  it.each([
    ['Londn', 'Did you mean London?'],
    ['engineering,london', 'Separate entries with ; (Engineering;London).'],
    [
      'Marketing',
      'Remove it, or create the group before importing. Known groups: Engineering, London, Sales, EMEA.',
    ],
  ])('refuses the unknown group %j: %s', (group, suggestion) => {
    expect(resolve(ROW, request({}, [], [group])).issues).toEqual([
      {
        row: ROW,
        column: 'groups',
        code: 'UNKNOWN_GROUP',
        severity: 'error',
        message: `Group "${group}" does not exist in this tenant.`,
        suggestion,
      },
    ]);
  });

  it('refuses a row that would get no role at all', () => {
    const strict = createAccessResolver({
      ...settings,
      rolePolicy: { rules: settings.rolePolicy.rules, fallbackRoles: [] },
    });
    expect(strict(ROW, request({ department: 'HR', jobFamily: 'Recruiting' }, ['wizard'])).issues).toEqual([
      expect.objectContaining({ code: 'UNKNOWN_ROLE' }),
      {
        row: ROW,
        column: 'roles',
        code: 'POLICY_NO_DEFAULT_ROLE',
        severity: 'error',
        message:
          'The user would get no role: no rule of the default role policy matches department "HR" or job family "Recruiting", the policy has no fallback roles, and the row names no known role.',
        suggestion:
          'Add a rule for this department or job family, or fallback roles, with PUT /internal/iam/role-policies/default; or name a role in the roles column.',
      },
    ]);
    expect(strict(ROW, request({})).issues[0]?.message).toBe(
      'The user would get no role: the row has no department or job family for the default role policy to match, the policy has no fallback roles, and the row names no known role.',
    );
  });

  it('accepts a row whose only role comes from its roles column, or waits for approval', () => {
    const strict = createAccessResolver({ ...settings, rolePolicy: { rules: [], fallbackRoles: [] } });
    expect(strict(ROW, request({}, ['operator'])).issues).toEqual([]);
    expect(strict(ROW, request({}, ['tenant_admin'])).issues.map((found) => found.code)).toEqual([
      'REQUIRES_APPROVAL',
    ]);
  });

  it('refuses a default role the policy still names but the tenant no longer has', () => {
    const stale = createAccessResolver({
      ...settings,
      rolePolicy: { rules: [{ department: 'Ops', roles: ['retired_role', 'operator'] }], fallbackRoles: [] },
    });
    const access = stale(ROW, request({ department: 'Ops' }));
    expect(access.roles).toEqual(['operator']);
    expect(access.issues).toEqual([
      {
        row: ROW,
        column: 'department',
        code: 'UNKNOWN_ROLE',
        severity: 'error',
        message:
          'Role "retired_role", from the default role policy\'s rule for department "Ops", no longer exists in this tenant.',
        suggestion:
          'Remove retired_role from the default role policy (PUT /internal/iam/role-policies/default), or create the role again.',
      },
    ]);
  });

  it('says which rule gave no role when a matched rule lists none', () => {
    const empty = createAccessResolver({
      ...settings,
      rolePolicy: { rules: [{ department: 'Temp', roles: [] }], fallbackRoles: ['member'] },
    });
    expect(empty(ROW, request({ department: 'Temp' })).issues[0]?.message).toBe(
      'The user would get no role: the default role policy\'s rule for department "Temp" lists no role, and the row names no known role.',
    );
  });
});
