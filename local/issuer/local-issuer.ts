import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import { z } from 'zod';

/**
 * The local OIDC issuer: an ES256 key pair whose public half is served as a JWKS, so the
 * authorizer verifies local tokens exactly as it verifies an identity provider's in AWS.
 */
export interface LocalIssuer {
  readonly issuer: string;
  readonly jwksUrl: string;
  readonly audience: string;
  jwks(): { keys: JWK[] };
  openIdConfiguration(): Record<string, unknown>;
  /**
   * Signs a token with `iss`, `aud`, `iat`, `exp` and `email_verified: true` set here (the local
   * identity provider vouches for every email it signs); negative lifetimes make expired tokens.
   */
  sign(claims: SignedClaims, expiresInSeconds: number): Promise<string>;
}

export interface SignedClaims {
  readonly sub: string;
  readonly tenant_id: string;
  readonly email: string;
  readonly csrf?: string;
}

const ALGORITHM = 'ES256';
const privateJwkSchema = z.object({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  x: z.string().min(1),
  y: z.string().min(1),
  d: z.string().min(1),
});
type PrivateJwk = z.infer<typeof privateJwkSchema>;

export async function createLocalIssuer(options: {
  /** `http://127.0.0.1:<port>`: the issuer is `<baseUrl>/_local`. */
  readonly baseUrl: string;
  readonly audience: string;
  /** Where the key is kept when data persists, so tokens survive a restart; absent: in memory. */
  readonly keyFile?: string;
}): Promise<LocalIssuer> {
  const privateJwk = await loadOrCreateKey(options.keyFile);
  const { d: _private, ...publicJwk } = privateJwk;
  const kid = await calculateJwkThumbprint(publicJwk);
  const signingKey = await importJWK(privateJwk, ALGORITHM);
  const issuer = `${options.baseUrl}/_local`;
  const jwksUrl = `${issuer}/.well-known/jwks.json`;

  return {
    issuer,
    jwksUrl,
    audience: options.audience,
    jwks: () => ({ keys: [{ ...publicJwk, kid, alg: ALGORITHM, use: 'sig' }] }),
    openIdConfiguration: () => ({
      issuer,
      jwks_uri: jwksUrl,
      token_endpoint: `${issuer}/token`,
      response_types_supported: ['token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: [ALGORITHM],
    }),
    async sign(claims, expiresInSeconds) {
      const issuedAt = Math.floor(Date.now() / 1000);
      const { sub, ...custom } = claims;
      return new SignJWT({ ...custom, email_verified: true })
        .setProtectedHeader({ alg: ALGORITHM, kid, typ: 'JWT' })
        .setIssuer(issuer)
        .setSubject(sub)
        .setAudience(options.audience)
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + expiresInSeconds)
        .sign(signingKey);
    },
  };
}

async function loadOrCreateKey(keyFile: string | undefined): Promise<PrivateJwk> {
  if (keyFile && existsSync(keyFile)) {
    return privateJwkSchema.parse(JSON.parse(await readFile(keyFile, 'utf8')));
  }
  const { privateKey } = await generateKeyPair(ALGORITHM, { extractable: true });
  const jwk = privateJwkSchema.parse(await exportJWK(privateKey));
  if (keyFile) await writeFile(keyFile, `${JSON.stringify(jwk, null, 2)}\n`, { mode: 0o600 });
  return jwk;
}
