import type { DirectoryRepository } from '../../identity/adapters/directory-repository';
import type { RoleCatalog } from '../../identity/adapters/role-catalog';
import type { TenantDirectoryLookup, ValidationSettings } from '../domain/validation-ports';
import type { ImportSettings } from '../runtime-config';
import type { RolePolicyRepository } from './role-policy-repository';

/** Validation's view of a tenant's directory, answered from the uniqueness claims in batches. */
export function tenantDirectoryLookup(
  directory: Pick<DirectoryRepository, 'takenClaims'>,
  tenantId: string,
): TenantDirectoryLookup {
  return {
    existingEmails: (emails) => directory.takenClaims(tenantId, 'email', emails),
    existingEmployeeIds: (employeeIds) => directory.takenClaims(tenantId, 'employeeId', employeeIds),
  };
}

/** What validation needs to know about a tenant right now: its roles, groups, policy and limits. */
export async function validationSettings(
  deps: {
    readonly directory: Pick<DirectoryRepository, 'listGroupNames'>;
    readonly roleCatalog: Pick<RoleCatalog, 'roles'>;
    readonly policies: Pick<RolePolicyRepository, 'get'>;
    readonly settings: Pick<ImportSettings, 'IMPORT_MAX_ROWS' | 'IMPORT_APPROVAL_ROLES'>;
  },
  tenantId: string,
): Promise<ValidationSettings> {
  const [roles, groups, rolePolicy] = await Promise.all([
    deps.roleCatalog.roles(),
    deps.directory.listGroupNames(tenantId),
    deps.policies.get(tenantId),
  ]);
  return {
    maxRows: deps.settings.IMPORT_MAX_ROWS,
    approvalRoles: new Set(deps.settings.IMPORT_APPROVAL_ROLES),
    knownRoles: new Set(roles.keys()),
    knownGroups: new Set(groups),
    rolePolicy,
  };
}
