import { z } from 'zod';

/**
 * The claims Muster reads from a bearer token or a session token. `tenant_id` scopes every
 * request; a session token also carries `csrf`, the SHA-256 (base64url) of the CSRF token the
 * page must echo, which binds the double-submit cookie to this session.
 */
export const tokenClaimsSchema = z.object({
  iss: z.string().min(1),
  sub: z.string().min(1),
  // Becomes part of every key of the tenant's data: a plain, bounded identifier only.
  tenant_id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, _ or -'),
  email: z.email().optional(),
  /** Standard OIDC claim; only a verified email may link a new subject to an existing user. */
  email_verified: z.boolean().optional(),
  csrf: z.string().min(1).optional(),
});
export type TokenClaims = z.infer<typeof tokenClaimsSchema>;

export const SESSION_COOKIE = 'muster_session';
export const CSRF_COOKIE = 'muster_csrf';
export const CSRF_HEADER = 'x-csrf-token';
export const CORRELATION_HEADER = 'x-correlation-id';

/** What the authorizer hands to every handler in `requestContext.authorizer`. */
export const authorizerContextSchema = z.object({
  tenantId: z.string().min(1),
  subject: z.string().min(1),
  issuer: z.string().min(1),
  email: z.string().optional(),
  /** Authorizer context values travel as strings. */
  emailVerified: z.enum(['true', 'false']).optional(),
  authMethod: z.enum(['bearer', 'session']),
  /** The directory user the identity is linked to; absent while the directory does not know it. */
  userId: z.string().min(1).optional(),
});
export type AuthorizerContext = z.infer<typeof authorizerContextSchema>;
