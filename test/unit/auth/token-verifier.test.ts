import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenVerifier } from '../../../functions/auth/token-verifier';
import { UnauthenticatedError } from '../../../functions/shared/errors';
import { startTestIssuer, type TestIssuer } from '../../support/test-issuer';

const AUDIENCE = 'muster-api';
let trusted: TestIssuer;
let stranger: TestIssuer;
let verifier: TokenVerifier;

beforeAll(async () => {
  trusted = await startTestIssuer(AUDIENCE);
  stranger = await startTestIssuer(AUDIENCE);
  verifier = new TokenVerifier({ issuer: trusted.issuer, audience: AUDIENCE, jwksUrl: trusted.jwksUrl });
});
afterAll(async () => {
  await trusted.close();
  await stranger.close();
});

async function rejection(token: string): Promise<string> {
  const error = await verifier.verify(token).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(UnauthenticatedError);
  return error instanceof UnauthenticatedError ? error.code : '';
}

describe('TokenVerifier', () => {
  it('accepts a token from the trusted issuer and returns its claims', async () => {
    const token = await trusted.sign({ sub: 'u_1', tenant_id: 'acme', email: 'ann@acme.test' });
    await expect(verifier.verify(token)).resolves.toMatchObject({
      iss: trusted.issuer,
      sub: 'u_1',
      tenant_id: 'acme',
      email: 'ann@acme.test',
    });
  });

  it('rejects an expired token', async () => {
    const token = await trusted.sign(
      { sub: 'u_1', tenant_id: 'acme' },
      { expiresIn: Math.floor(Date.now() / 1000) - 120 },
    );
    expect(await rejection(token)).toBe('TOKEN_EXPIRED');
  });

  it('rejects a token naming another issuer', async () => {
    const token = await trusted.sign({ sub: 'u_1', tenant_id: 'acme' }, { issuer: 'https://evil.example' });
    expect(await rejection(token)).toBe('TOKEN_CLAIM_REJECTED');
  });

  it('rejects a token for another audience', async () => {
    const token = await trusted.sign({ sub: 'u_1', tenant_id: 'acme' }, { audience: 'other-api' });
    expect(await rejection(token)).toBe('TOKEN_CLAIM_REJECTED');
  });

  it('rejects a token signed by another key, even claiming the trusted issuer', async () => {
    const token = await stranger.sign({ sub: 'u_1', tenant_id: 'acme' }, { issuer: trusted.issuer });
    expect(await rejection(token)).toBe('TOKEN_SIGNATURE_INVALID');
  });

  it('rejects a symmetric (HS256) token, whatever its claims', async () => {
    const token = await new SignJWT({ sub: 'u_1', tenant_id: 'acme' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(trusted.issuer)
      .setAudience(AUDIENCE)
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('a-shared-secret-of-at-least-32-bytes!'));
    expect(await rejection(token)).toBe('TOKEN_INVALID');
  });

  it('rejects a token without a tenant', async () => {
    expect(await rejection(await trusted.sign({ sub: 'u_1' }))).toBe('TOKEN_CLAIMS_INVALID');
  });

  it('rejects a tenant id that could bend a storage key', async () => {
    expect(await rejection(await trusted.sign({ sub: 'u_1', tenant_id: 'acme#USER#u_2' }))).toBe(
      'TOKEN_CLAIMS_INVALID',
    );
  });

  it('rejects garbage', async () => {
    expect(await rejection('not.a.jwt')).toBe('TOKEN_INVALID');
  });
});
