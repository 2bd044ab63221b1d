import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { TokenClaims } from '../../../functions/auth/claims';
import {
  authenticateRequest,
  type IncomingCredentials,
} from '../../../functions/auth/request-authentication';
import { AppError, UnauthenticatedError } from '../../../functions/shared/errors';

const CSRF = 'csrf-token-value';
const claims = (extra: Partial<TokenClaims> = {}): TokenClaims => ({
  iss: 'https://issuer.test',
  sub: 'u_1',
  tenant_id: 'acme',
  email: 'ann@acme.test',
  ...extra,
});
const sessionClaims = claims({ csrf: createHash('sha256').update(CSRF).digest('base64url') });

/** A verifier that accepts the tokens named in the map and rejects any other. */
function verifierOf(tokens: Record<string, TokenClaims>) {
  return async (token: string) => {
    const found = tokens[token];
    if (!found) throw new UnauthenticatedError('TOKEN_INVALID', 'bad token');
    return found;
  };
}
const verify = verifierOf({ bearer: claims(), session: sessionClaims, sessionWithoutBinding: claims() });

async function codeOf(credentials: IncomingCredentials): Promise<string> {
  const error = await authenticateRequest(credentials, verify).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  return error instanceof AppError ? `${error.kind}:${error.code}` : 'no error';
}

describe('authenticateRequest', () => {
  it('authenticates a bearer token without asking for CSRF, even on unsafe methods', async () => {
    await expect(
      authenticateRequest({ method: 'POST', authorization: 'Bearer bearer' }, verify),
    ).resolves.toEqual({
      tenantId: 'acme',
      subject: 'u_1',
      issuer: 'https://issuer.test',
      email: 'ann@acme.test',
      emailVerified: 'false',
      authMethod: 'bearer',
    });
  });

  it('passes on whether the identity provider verified the email', async () => {
    const verified = verifierOf({ token: claims({ email_verified: true }) });
    await expect(
      authenticateRequest({ method: 'GET', authorization: 'Bearer token' }, verified),
    ).resolves.toMatchObject({
      email: 'ann@acme.test',
      emailVerified: 'true',
    });
  });

  it('refuses a malformed Authorization header instead of falling back to cookies', async () => {
    expect(
      await codeOf({ method: 'GET', authorization: 'Basic abc', cookie: 'muster_session=session' }),
    ).toBe('UNAUTHENTICATED:AUTHORIZATION_MALFORMED');
  });

  it('refuses a request with no credentials', async () => {
    expect(await codeOf({ method: 'GET' })).toBe('UNAUTHENTICATED:CREDENTIALS_MISSING');
  });

  it('refuses an invalid session token', async () => {
    expect(await codeOf({ method: 'GET', cookie: 'muster_session=forged' })).toBe(
      'UNAUTHENTICATED:TOKEN_INVALID',
    );
  });

  it('authenticates a session on a safe method without a CSRF token', async () => {
    await expect(
      authenticateRequest({ method: 'GET', cookie: 'muster_session=session' }, verify),
    ).resolves.toMatchObject({ authMethod: 'session', tenantId: 'acme' });
  });

  it.each(['POST', 'PUT', 'PATCH', 'DELETE'])('requires the CSRF header on a session %s', async (method) => {
    expect(await codeOf({ method, cookie: `muster_session=session; muster_csrf=${CSRF}` })).toBe(
      'FORBIDDEN:CSRF_TOKEN_MISSING',
    );
  });

  it('accepts an unsafe session request whose header, cookie and session binding agree', async () => {
    await expect(
      authenticateRequest(
        { method: 'PATCH', cookie: `muster_session=session; muster_csrf=${CSRF}`, csrfHeader: CSRF },
        verify,
      ),
    ).resolves.toMatchObject({ authMethod: 'session' });
  });

  it('refuses a header that differs from the cookie', async () => {
    expect(
      await codeOf({
        method: 'POST',
        cookie: `muster_session=session; muster_csrf=${CSRF}`,
        csrfHeader: 'other',
      }),
    ).toBe('FORBIDDEN:CSRF_TOKEN_MISMATCH');
  });

  it('refuses a header and cookie that agree but are not bound to the session (planted cookie)', async () => {
    expect(
      await codeOf({
        method: 'POST',
        cookie: 'muster_session=session; muster_csrf=planted',
        csrfHeader: 'planted',
      }),
    ).toBe('FORBIDDEN:CSRF_TOKEN_MISMATCH');
    expect(
      await codeOf({
        method: 'POST',
        cookie: `muster_session=sessionWithoutBinding; muster_csrf=${CSRF}`,
        csrfHeader: CSRF,
      }),
    ).toBe('FORBIDDEN:CSRF_TOKEN_MISMATCH');
  });

  it('refuses a CSRF header without the cookie', async () => {
    expect(await codeOf({ method: 'DELETE', cookie: 'muster_session=session', csrfHeader: CSRF })).toBe(
      'FORBIDDEN:CSRF_TOKEN_MISMATCH',
    );
  });
});
