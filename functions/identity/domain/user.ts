import type { UserStatus } from './rbac';

/** A user of a tenant's directory, as DESIGN.md's user resource describes it. */
export interface User {
  readonly tenantId: string;
  readonly userId: string;
  readonly email: string;
  readonly givenName?: string;
  readonly familyName?: string;
  readonly displayName?: string;
  readonly employeeId?: string;
  readonly department?: string;
  readonly jobFamily?: string;
  readonly phone?: string;
  readonly managerEmail?: string;
  readonly locale?: string;
  readonly status: UserStatus;
  /** Roles bound directly to the user (group roles are held through `groups`). */
  readonly roles: readonly string[];
  readonly groups: readonly string[];
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Incremented on every change; optimistic-concurrency token for updates. */
  readonly version: number;
}

/** Emails are compared case-insensitively and without surrounding blanks; this is the one normal form. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** The public JSON shape of a user (DESIGN.md): everything but the tenant, which the caller already knows. */
export function toUserResource(user: User): Omit<User, 'tenantId'> {
  const { tenantId: _tenant, ...resource } = user;
  return resource;
}
