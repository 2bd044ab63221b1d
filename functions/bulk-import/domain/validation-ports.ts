/**
 * What validation needs to know about the tenant, asked in bulk so a 100,000-row file costs
 * hundreds of lookups, not hundreds of thousands. Implemented over DynamoDB by an adapter;
 * unit tests pass in-memory versions.
 */
export interface TenantDirectoryLookup {
  /** The subset of these (normalised) emails that already belong to users of the tenant. */
  existingEmails(emails: readonly string[]): Promise<ReadonlySet<string>>;
  /** The subset of these employee ids already used in the tenant. */
  existingEmployeeIds(employeeIds: readonly string[]): Promise<ReadonlySet<string>>;
}

export interface DefaultRolePolicy {
  readonly rules: readonly {
    readonly department?: string;
    readonly jobFamily?: string;
    readonly roles: readonly string[];
  }[];
  readonly fallbackRoles: readonly string[];
}

export interface ValidationSettings {
  /** Over this many data rows the file is refused with TOO_MANY_ROWS (default 100,000). */
  readonly maxRows: number;
  /** Roles that need an approval before they become active (seed 000's approval whitelist). */
  readonly approvalRoles: ReadonlySet<string>;
  /** Every role and group name that exists for the tenant. */
  readonly knownRoles: ReadonlySet<string>;
  readonly knownGroups: ReadonlySet<string>;
  readonly rolePolicy: DefaultRolePolicy;
}
