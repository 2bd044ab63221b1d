import { createHash, timingSafeEqual } from 'node:crypto';
import { parseCookie } from 'cookie';
import { ForbiddenError, UnauthenticatedError } from '../shared/errors';
import { type AuthorizerContext, CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE, type TokenClaims } from './claims';

export interface IncomingCredentials {
  readonly method: string;
  readonly authorization?: string;
  readonly cookie?: string;
  readonly csrfHeader?: string;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Authenticates one request: a bearer token, else a session cookie. Browsers send cookies on
 * their own, so every unsafe method with a session must prove it comes from our page with the
 * double-submit CSRF token: the `x-csrf-token` header equals the `muster_csrf` cookie, and its
 * hash equals the session's `csrf` claim (binding the token to this session, so a cookie planted
 * by a sibling subdomain does not pass). Bearer tokens are not ambient and need no CSRF token.
 */
export async function authenticateRequest(
  credentials: IncomingCredentials,
  verify: (token: string) => Promise<TokenClaims>,
): Promise<AuthorizerContext> {
  const bearer = /^Bearer\s+(\S+)$/i.exec(credentials.authorization ?? '')?.[1];
  if (bearer) return contextFrom(await verify(bearer), 'bearer');
  if (credentials.authorization) {
    throw new UnauthenticatedError('AUTHORIZATION_MALFORMED', 'Use "Authorization: Bearer <token>".');
  }

  const cookies = credentials.cookie ? parseCookie(credentials.cookie) : {};
  const sessionToken = cookies[SESSION_COOKIE];
  if (!sessionToken)
    throw new UnauthenticatedError('CREDENTIALS_MISSING', 'No bearer token or session cookie.');
  const claims = await verify(sessionToken);
  if (!SAFE_METHODS.has(credentials.method.toUpperCase())) {
    checkCsrf(credentials.csrfHeader, cookies[CSRF_COOKIE], claims.csrf);
  }
  return contextFrom(claims, 'session');
}

function checkCsrf(
  header: string | undefined,
  cookie: string | undefined,
  boundHash: string | undefined,
): void {
  if (!header) {
    throw new ForbiddenError('CSRF_TOKEN_MISSING', `Send the CSRF token in the ${CSRF_HEADER} header.`);
  }
  const headerHash = createHash('sha256').update(header).digest('base64url');
  if (!cookie || !sameText(header, cookie) || !boundHash || !sameText(headerHash, boundHash)) {
    throw new ForbiddenError(
      'CSRF_TOKEN_MISMATCH',
      'The CSRF token does not match this session. Reload the page.',
    );
  }
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function contextFrom(claims: TokenClaims, authMethod: AuthorizerContext['authMethod']): AuthorizerContext {
  return {
    tenantId: claims.tenant_id,
    subject: claims.sub,
    issuer: claims.iss,
    authMethod,
    ...(claims.email ? { email: claims.email, emailVerified: claims.email_verified ? 'true' : 'false' } : {}),
  };
}
