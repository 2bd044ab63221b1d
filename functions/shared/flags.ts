import { isTruthy } from './config';

/**
 * Every feature flag of Muster. A flag is read from the environment variable named after it
 * (upper case, `-` → `_`): `user-bulk-import` → `USER_BULK_IMPORT`, `user_mgmt_core` →
 * `USER_MGMT_CORE`. On for `1`, `true`, `yes`, `on` (seed 003); unset or anything else is off,
 * which is always the behaviour before the flag existed.
 */
export const FLAG_NAMES = [
  'user-bulk-import',
  'iam-directory-v2',
  'notify-transactional',
  'audit-streaming',
  'iam-bulk-assign',
  'minimal-privilege-check',
  'user_mgmt_core',
  'user_mgmt_ui',
  'user_mgmt_enforce',
  'oidc_auto_provision_users',
] as const;

export type FlagName = (typeof FLAG_NAMES)[number];
export type FlagSet = Readonly<Record<FlagName, boolean>>;

export function flagEnvName(flag: FlagName): string {
  return flag.toUpperCase().replaceAll('-', '_');
}

export function readFlags(env: NodeJS.ProcessEnv = process.env): FlagSet {
  return Object.fromEntries(FLAG_NAMES.map((flag) => [flag, isTruthy(env[flagEnvName(flag)])])) as Record<
    FlagName,
    boolean
  >;
}

/** The environment variables that set the given flags, as a deployment or the local stack passes them. */
export function flagEnvironment(flags: Partial<Record<FlagName, boolean>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(flags).map(([flag, on]) => [flagEnvName(flag as FlagName), on ? 'true' : 'false']),
  );
}
