import { z } from 'zod';
import type { UserStatus } from './rbac';

const optionalText = z.string().optional();

/**
 * The public JSON shape of a user (DESIGN.md's user resource): everything but the tenant, which the
 * caller already knows. The API's responses and its OpenAPI document both come from this schema.
 */
export const userResourceSchema = z.object({
  userId: z.string(),
  email: z.string(),
  givenName: optionalText,
  familyName: optionalText,
  displayName: optionalText,
  employeeId: optionalText,
  department: optionalText,
  jobFamily: optionalText,
  phone: optionalText.describe('E.164, e.g. +4915112345678.'),
  managerEmail: optionalText,
  locale: optionalText.describe('BCP 47, e.g. de-DE.'),
  status: z.enum(['INVITED', 'ACTIVE', 'DEACTIVATED'] as const satisfies readonly UserStatus[]),
  roles: z
    .array(z.string())
    .readonly()
    .describe('Roles bound directly to the user; roles held through a group come through `groups`.'),
  groups: z.array(z.string()).readonly(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  version: z
    .number()
    .int()
    .positive()
    .describe('Incremented on every change; the ETag, and the If-Match of a later change.'),
});

export type UserResource = z.infer<typeof userResourceSchema>;

/** A user of a tenant's directory. */
export interface User extends Readonly<UserResource> {
  readonly tenantId: string;
}

/** Emails are compared case-insensitively and without surrounding blanks; this is the one normal form. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function toUserResource(user: User): UserResource {
  const { tenantId: _tenant, ...resource } = user;
  return resource;
}
