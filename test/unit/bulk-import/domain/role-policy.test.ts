import { describe, expect, it } from 'vitest';
import {
  createDefaultRoleResolver,
  NEW_TENANT_ROLE_POLICY,
  policyKey,
  rolePolicySchema,
} from '../../../../functions/bulk-import/domain/role-policy';

describe('NEW_TENANT_ROLE_POLICY', () => {
  it('has no rules and makes everyone a member (DESIGN.md)', () => {
    expect(NEW_TENANT_ROLE_POLICY).toEqual({ rules: [], fallbackRoles: ['member'] });
    expect(createDefaultRoleResolver(NEW_TENANT_ROLE_POLICY)({ department: 'Sales' })).toEqual({
      roles: ['member'],
      source: { kind: 'fallback' },
    });
  });
});

describe('policyKey', () => {
  it('ignores case, surrounding and repeated blanks', () => {
    expect(policyKey('  Sales   EMEA ')).toBe('sales emea');
  });
});

describe('createDefaultRoleResolver', () => {
  const resolve = createDefaultRoleResolver({
    rules: [
      { department: 'Engineering', roles: ['developer'] },
      { jobFamily: 'Management', roles: ['people_lead'] },
      { department: 'Engineering', jobFamily: 'Management', roles: ['eng_manager'] },
      { department: 'Sales', roles: ['seller', 'member'] },
      { jobFamily: 'Field', roles: ['member', 'field_agent'] },
    ],
    fallbackRoles: ['member'],
  });

  it('prefers a rule naming both department and job family', () => {
    expect(resolve({ department: 'engineering', jobFamily: 'MANAGEMENT' })).toEqual({
      roles: ['eng_manager'],
      source: { kind: 'rules', matchedOn: ['department', 'jobFamily'] },
    });
  });

  it('prefers a one-field rule over the fallback', () => {
    expect(resolve({ department: ' Engineering ', jobFamily: 'Research' })).toEqual({
      roles: ['developer'],
      source: { kind: 'rules', matchedOn: ['department'] },
    });
    expect(resolve({ jobFamily: 'management' })).toEqual({
      roles: ['people_lead'],
      source: { kind: 'rules', matchedOn: ['jobFamily'] },
    });
  });

  it('merges equally specific matches: the department rule first, without repeats', () => {
    expect(resolve({ department: 'Sales', jobFamily: 'Field' })).toEqual({
      roles: ['seller', 'member', 'field_agent'],
      source: { kind: 'rules', matchedOn: ['department', 'jobFamily'] },
    });
  });

  it('falls back when nothing matches or the row has neither field', () => {
    expect(resolve({ department: 'Legal' }).source).toEqual({ kind: 'fallback' });
    expect(resolve({}).roles).toEqual(['member']);
  });

  it('never matches a both-fields rule on one field alone', () => {
    expect(resolve({ department: 'Marketing', jobFamily: 'Management' }).roles).toEqual(['people_lead']);
  });

  it('resolves to no role when nothing matches and there is no fallback', () => {
    const strict = createDefaultRoleResolver({
      rules: [{ department: 'IT', roles: ['operator'] }],
      fallbackRoles: [],
    });
    expect(strict({ department: 'HR' })).toEqual({ roles: [], source: { kind: 'fallback' } });
  });
});

describe('rolePolicySchema', () => {
  it('accepts a policy and trims match values', () => {
    expect(
      rolePolicySchema.parse({
        rules: [
          { department: ' Engineering ', roles: ['developer'] },
          { jobFamily: 'Sales', roles: ['seller'] },
        ],
        fallbackRoles: [],
      }),
    ).toEqual({
      rules: [
        { department: 'Engineering', roles: ['developer'] },
        { jobFamily: 'Sales', roles: ['seller'] },
      ],
      fallbackRoles: [],
    });
  });

  it.each([
    [
      'a rule matching nothing',
      { rules: [{ roles: ['member'] }], fallbackRoles: [] },
      'a rule names a department',
    ],
    ['a rule without roles', { rules: [{ department: 'IT', roles: [] }], fallbackRoles: [] }, 'Too small'],
    ['a malformed role name', { rules: [], fallbackRoles: ['Admin!'] }, 'a role name is 2-64'],
    ['a role listed twice', { rules: [], fallbackRoles: ['member', 'member'] }, 'a role is listed twice'],
    ['an unknown field', { rules: [], fallbackRoles: [], extra: 1 }, 'Unrecognized key'],
    [
      'a blank department',
      { rules: [{ department: '  ', roles: ['member'] }], fallbackRoles: [] },
      'Too small',
    ],
    [
      'an over-long department',
      { rules: [{ department: 'x'.repeat(129), roles: ['member'] }], fallbackRoles: [] },
      'Too big',
    ],
    [
      'two rules with the same match',
      {
        rules: [
          { department: 'IT', roles: ['member'] },
          { department: ' it ', roles: ['operator'] },
        ],
        fallbackRoles: [],
      },
      'matches the same department and jobFamily as rule 0',
    ],
    [
      'more than 500 rules',
      {
        rules: Array.from({ length: 501 }, (_, index) => ({ department: `d${index}`, roles: ['member'] })),
        fallbackRoles: [],
      },
      'Too big',
    ],
  ])('refuses %s', (_label, body, message) => {
    const result = rolePolicySchema.safeParse(body);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((found) => found.message).join('; ')).toContain(message);
  });
});
