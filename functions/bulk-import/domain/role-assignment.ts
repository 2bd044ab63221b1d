import { type ImportIssue, issue } from './issues';
import { createDefaultRoleResolver, type RoleSource } from './role-policy';
import type { RowCheck } from './row-rules';
import { closestMatch, typoBudget } from './text-distance';
import type { ValidationSettings } from './validation-ports';

export interface RowAccess {
  /** Active at once: the policy's default roles and the requested roles that need no approval. */
  readonly roles: readonly string[];
  /** Default or requested roles on the approval list: pending grants until approved. */
  readonly rolesPendingApproval: readonly string[];
  readonly groups: readonly string[];
  readonly issues: readonly ImportIssue[];
}

export type AccessResolver = (row: number, check: RowCheck) => RowAccess;

const MAX_LISTED_NAMES = 10;
const MAX_REMEMBERED_ANSWERS = 10_000;
const POLICY_ENDPOINT = 'PUT /internal/iam/role-policies/default';

/** A list as part of a memo key; most lists hold one name or none, which need no join. */
function listKey(names: readonly string[]): string {
  return names.length < 2 ? (names[0] ?? '') : names.join(';');
}

/** Lower-cased name → the tenant's spelling. */
function byLowerCase(names: Iterable<string>): ReadonlyMap<string, string> {
  return new Map([...names].map((name) => [name.toLowerCase(), name]));
}

function listing(kind: string, names: ReadonlyMap<string, string>): string {
  return names.size <= MAX_LISTED_NAMES ? ` Known ${kind}: ${[...names.values()].join(', ')}.` : '';
}

/** A misspelling, several names run together, or a word of one known name: the likeliest intent. */
function likelyMeant(value: string, known: ReadonlyMap<string, string>): string | undefined {
  const lower = value.toLowerCase();
  const close = closestMatch(lower, known.keys(), typoBudget(lower.length));
  if (close !== undefined) return `Did you mean ${known.get(close)}?`;
  const parts = lower.split(/[\s,]+/).filter((part) => part !== '');
  if (parts.length > 1 && parts.every((part) => known.has(part))) {
    return `Separate entries with ; (${parts.map((part) => known.get(part)).join(';')}).`;
  }
  const containing = [...known.keys()].filter((name) => name.split(/[_\s-]+/).includes(lower));
  if (containing.length === 1 && containing[0] !== undefined)
    return `Did you mean ${known.get(containing[0])}?`;
  return undefined;
}

type Person = { readonly department?: string; readonly jobFamily?: string };

function describeMatch(
  fields: readonly ('department' | 'jobFamily')[],
  person: Person,
  joiner: string,
): string {
  const described = fields.map((field) =>
    field === 'department' ? `department "${person.department}"` : `job family "${person.jobFamily}"`,
  );
  return described.join(joiner);
}

/** The column whose value selected the default roles; none for the fallback. */
function sourceColumn(source: RoleSource): 'department' | 'job_family' | null {
  if (source.kind === 'fallback') return null;
  return source.matchedOn.includes('department') ? 'department' : 'job_family';
}

function describeSource(source: RoleSource, person: Person): string {
  return source.kind === 'fallback'
    ? 'the fallback roles of the default role policy'
    : `the default role policy's rule for ${describeMatch(source.matchedOn, person, ' and ')}`;
}

function noRoleMessage(source: RoleSource, person: Person): string {
  if (source.kind === 'rules') {
    return `The user would get no role: ${describeSource(source, person)} lists no role, and the row names no known role.`;
  }
  const given = (['department', 'jobFamily'] as const).filter((field) => person[field] !== undefined);
  const noMatch =
    given.length === 0
      ? 'the row has no department or job family for the default role policy to match'
      : `no rule of the default role policy matches ${describeMatch(given, person, ' or ')}`;
  return `The user would get no role: ${noMatch}, the policy has no fallback roles, and the row names no known role.`;
}

/**
 * Resolves a row's roles and groups against the tenant: the policy's default roles plus the
 * requested ones, unknown names refused, roles on the approval list held back as pending grants.
 * Default roles are held back too: otherwise anyone allowed to import could hand out a sensitive
 * default role just by writing the department it is mapped to.
 */
export function createAccessResolver(settings: ValidationSettings): AccessResolver {
  const knownRoles = byLowerCase(settings.knownRoles);
  const knownGroups = byLowerCase(settings.knownGroups);
  const approvalRoles = new Set([...settings.approvalRoles].map((role) => role.toLowerCase()));
  const defaultRoles = createDefaultRoleResolver(settings.rolePolicy);
  const roleHints = new Map<string, string>();
  const groupHints = new Map<string, string>();
  const hint = (cache: Map<string, string>, value: string, compute: () => string) => {
    let found = cache.get(value);
    if (found === undefined) {
      found = compute();
      cache.set(value, found);
    }
    return found;
  };

  const resolve: AccessResolver = (row, { fields, requestedRoles, requestedGroups }) => {
    const issues: ImportIssue[] = [];
    const person = { department: fields.department, jobFamily: fields.jobFamily };
    const defaults = defaultRoles(person);

    const granted = new Map<string, 'default' | 'requested'>();
    for (const defaultRole of defaults.roles) {
      const role = knownRoles.get(defaultRole.toLowerCase());
      if (role !== undefined) {
        granted.set(role, 'default');
        continue;
      }
      // The policy was valid when saved; a role deleted since must not be bound to new users.
      issues.push(
        issue({
          row,
          column: sourceColumn(defaults.source),
          code: 'UNKNOWN_ROLE',
          message: `Role "${defaultRole}", from ${describeSource(defaults.source, person)}, no longer exists in this tenant.`,
          suggestion: `Remove ${defaultRole} from the default role policy (${POLICY_ENDPOINT}), or create the role again.`,
        }),
      );
    }
    for (const requested of requestedRoles) {
      const role = knownRoles.get(requested.toLowerCase());
      if (role !== undefined) {
        if (!granted.has(role)) granted.set(role, 'requested');
        continue;
      }
      issues.push(
        issue({
          row,
          column: 'roles',
          code: 'UNKNOWN_ROLE',
          message: `Role "${requested}" does not exist in this tenant.`,
          suggestion: hint(
            roleHints,
            requested,
            () =>
              likelyMeant(requested, knownRoles) ??
              `Remove it, or create the role before importing.${listing('roles', knownRoles)}`,
          ),
        }),
      );
    }

    const roles: string[] = [];
    const rolesPendingApproval: string[] = [];
    for (const [role, origin] of granted) {
      if (!approvalRoles.has(role.toLowerCase())) {
        roles.push(role);
        continue;
      }
      rolesPendingApproval.push(role);
      issues.push(
        issue({
          row,
          column: origin === 'requested' ? 'roles' : sourceColumn(defaults.source),
          code: 'REQUIRES_APPROVAL',
          message:
            origin === 'requested'
              ? `Role ${role} needs an approval: the user is created now and gets the role once a security approver approves it.`
              : `Role ${role}, from ${describeSource(defaults.source, person)}, needs an approval: the user is created now and gets the role once approved.`,
          suggestion:
            origin === 'requested'
              ? `Add an approval note when you commit the import, or remove ${role} from the row if it is not needed.`
              : `Add an approval note when you commit the import, or take ${role} out of the default role policy (${POLICY_ENDPOINT}).`,
        }),
      );
    }

    if (granted.size === 0) {
      issues.push(
        issue({
          row,
          column: 'roles',
          code: 'POLICY_NO_DEFAULT_ROLE',
          message: noRoleMessage(defaults.source, person),
          suggestion: `Add a rule for this department or job family, or fallback roles, with ${POLICY_ENDPOINT}; or name a role in the roles column.`,
        }),
      );
    }

    const groups: string[] = [];
    for (const requested of requestedGroups) {
      const group = knownGroups.get(requested.toLowerCase());
      if (group !== undefined) {
        if (!groups.includes(group)) groups.push(group);
        continue;
      }
      issues.push(
        issue({
          row,
          column: 'groups',
          code: 'UNKNOWN_GROUP',
          message: `Group "${requested}" does not exist in this tenant.`,
          suggestion: hint(
            groupHints,
            requested,
            () =>
              likelyMeant(requested, knownGroups) ??
              `Remove it, or create the group before importing.${listing('groups', knownGroups)}`,
          ),
        }),
      );
    }
    return { roles, rolesPendingApproval, groups, issues };
  };

  // Thousands of rows share a department, job family and requested roles: an answer without
  // issues (issues name their row) is the same for all of them, so it is remembered.
  const withoutIssues = new Map<string, RowAccess>();
  return (row, check) => {
    const { department = '', jobFamily = '' } = check.fields;
    const key = `${department}\u0000${jobFamily}\u0000${listKey(check.requestedRoles)}\u0000${listKey(check.requestedGroups)}`;
    const known = withoutIssues.get(key);
    if (known !== undefined) return known;
    const access = resolve(row, check);
    if (access.issues.length === 0 && withoutIssues.size < MAX_REMEMBERED_ANSWERS)
      withoutIssues.set(key, access);
    return access;
  };
}
