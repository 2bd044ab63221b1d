/**
 * A spreadsheet row that passed validation, normalised: what provisioning creates a user from.
 * `row` is the number the admin sees in the spreadsheet (header = 1, first record = 2).
 */
export interface ImportRow {
  readonly row: number;
  /** Trimmed, lower-cased. */
  readonly email: string;
  readonly givenName?: string;
  readonly familyName?: string;
  readonly displayName?: string;
  readonly employeeId?: string;
  readonly department?: string;
  readonly jobFamily?: string;
  /** E.164. */
  readonly phone?: string;
  readonly managerEmail?: string;
  /** Canonical BCP 47 tag. */
  readonly locale?: string;
  /** ISO date `YYYY-MM-DD`. */
  readonly startDate?: string;
  readonly groups: readonly string[];
  /** Roles bound at once: the tenant's default roles for the row plus requested non-sensitive roles. */
  readonly roles: readonly string[];
  /** Requested roles on the approval whitelist: stored as pending grants, never active without approval. */
  readonly rolesPendingApproval: readonly string[];
}
