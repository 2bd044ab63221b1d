import { z } from 'zod';
import type { DefaultRolePolicy } from './validation-ports';

/** What a tenant that never set a policy gets (DESIGN.md). */
export const NEW_TENANT_ROLE_POLICY: DefaultRolePolicy = { rules: [], fallbackRoles: ['member'] };

/** The shape of role names (functions/identity/domain/roles.ts); whether a role exists is the API's check. */
const ROLE_NAME = /^[a-z][a-z0-9_]{1,63}$/;
const MAX_RULES = 500;
const MAX_ROLES_PER_RULE = 20;
const MAX_MATCH_LENGTH = 128;

/** How a department or job family is compared: trimmed, inner blanks collapsed, ignoring case. */
export function policyKey(value: string): string {
  return value.trim().replace(/\s+/gu, ' ').toLowerCase();
}

const roleList = (minimum: number) =>
  z
    .array(
      z
        .string()
        .regex(ROLE_NAME, 'a role name is 2-64 lower-case letters, digits or _, starting with a letter'),
    )
    .min(minimum)
    .max(MAX_ROLES_PER_RULE)
    .refine((roles) => new Set(roles).size === roles.length, 'a role is listed twice');

const matchValue = z.string().trim().min(1).max(MAX_MATCH_LENGTH);

/** The body of `PUT /internal/iam/role-policies/default`: shape and limits only. */
export const rolePolicySchema = z
  .strictObject({
    rules: z
      .array(
        z
          .strictObject({
            department: matchValue.optional(),
            jobFamily: matchValue.optional(),
            roles: roleList(1),
          })
          .refine(
            (rule) => rule.department !== undefined || rule.jobFamily !== undefined,
            'a rule names a department, a jobFamily or both',
          ),
      )
      .max(MAX_RULES),
    fallbackRoles: roleList(0),
  })
  .superRefine((policy, context) => {
    const seen = new Map<string, number>();
    policy.rules.forEach((rule, index) => {
      const key = `${policyKey(rule.department ?? '')}\u0000${policyKey(rule.jobFamily ?? '')}`;
      const earlier = seen.get(key);
      if (earlier === undefined) seen.set(key, index);
      else {
        context.addIssue({
          code: 'custom',
          path: ['rules', index],
          message: `matches the same department and jobFamily as rule ${earlier}; merge their roles into one rule`,
        });
      }
    });
  });
export type RolePolicyInput = z.infer<typeof rolePolicySchema>;

/** Which part of the policy gave a row its default roles. */
export type RoleSource =
  | { readonly kind: 'rules'; readonly matchedOn: readonly ('department' | 'jobFamily')[] }
  | { readonly kind: 'fallback' };

export interface DefaultRoles {
  readonly roles: readonly string[];
  readonly source: RoleSource;
}

export type DefaultRoleResolver = (person: { department?: string; jobFamily?: string }) => DefaultRoles;

/**
 * Compiles a policy into a resolver (a lookup per row, not a scan of every rule). The most
 * specific matching rules win: a rule naming department and job family beats rules naming one,
 * which beat the fallback. Equally specific matches — a department rule and a job-family rule
 * both fitting a row — are merged (the union of their roles, the department rule's first): neither
 * is more right than the other, and dropping either would silently withhold a role the tenant
 * configured. Rules repeating the same match (the schema refuses them) are merged the same way.
 */
export function createDefaultRoleResolver(policy: DefaultRolePolicy): DefaultRoleResolver {
  const byBoth = new Map<string, readonly string[]>();
  const byDepartment = new Map<string, readonly string[]>();
  const byJobFamily = new Map<string, readonly string[]>();
  const add = (map: Map<string, readonly string[]>, key: string, roles: readonly string[]) =>
    map.set(key, [...(map.get(key) ?? []), ...roles]);
  for (const { department, jobFamily, roles } of policy.rules) {
    if (department !== undefined && jobFamily !== undefined) {
      add(byBoth, `${policyKey(department)}\u0000${policyKey(jobFamily)}`, roles);
    } else if (department !== undefined) add(byDepartment, policyKey(department), roles);
    else if (jobFamily !== undefined) add(byJobFamily, policyKey(jobFamily), roles);
  }
  const fallback: DefaultRoles = { roles: [...new Set(policy.fallbackRoles)], source: { kind: 'fallback' } };

  return ({ department, jobFamily }) => {
    const departmentKey = department === undefined ? undefined : policyKey(department);
    const jobFamilyKey = jobFamily === undefined ? undefined : policyKey(jobFamily);
    if (departmentKey !== undefined && jobFamilyKey !== undefined) {
      const roles = byBoth.get(`${departmentKey}\u0000${jobFamilyKey}`);
      if (roles !== undefined) {
        return {
          roles: [...new Set(roles)],
          source: { kind: 'rules', matchedOn: ['department', 'jobFamily'] },
        };
      }
    }
    const departmentRoles = departmentKey === undefined ? undefined : byDepartment.get(departmentKey);
    const jobFamilyRoles = jobFamilyKey === undefined ? undefined : byJobFamily.get(jobFamilyKey);
    if (departmentRoles === undefined && jobFamilyRoles === undefined) return fallback;
    return {
      roles: [...new Set([...(departmentRoles ?? []), ...(jobFamilyRoles ?? [])])],
      source: {
        kind: 'rules',
        matchedOn: [
          ...(departmentRoles === undefined ? [] : (['department'] as const)),
          ...(jobFamilyRoles === undefined ? [] : (['jobFamily'] as const)),
        ],
      },
    };
  };
}
