import { createRemoteJWKSet, errors, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { UnauthenticatedError } from '../shared/errors';
import { type TokenClaims, tokenClaimsSchema } from './claims';

export interface TokenVerifierOptions {
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUrl: string;
}

/**
 * Asymmetric algorithms only: accepting HS* would let anyone sign with the issuer's public key
 * as the HMAC secret (algorithm confusion).
 */
const ALGORITHMS = ['ES256', 'ES384', 'RS256', 'RS384', 'RS512', 'PS256', 'EdDSA'];

/**
 * Verifies JWTs against the configured OIDC issuer's JWKS (fetched once, cached, refreshed on an
 * unknown key id by jose). Any failure is an UnauthenticatedError whose code says which check
 * failed; the message never echoes the token.
 */
export class TokenVerifier {
  private readonly keys: JWTVerifyGetKey;

  constructor(private readonly options: TokenVerifierOptions) {
    this.keys = createRemoteJWKSet(new URL(options.jwksUrl), {
      cooldownDuration: 30_000,
      timeoutDuration: 5_000,
    });
  }

  async verify(token: string): Promise<TokenClaims> {
    try {
      const { payload } = await jwtVerify(token, this.keys, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: ALGORITHMS,
        clockTolerance: 30,
      });
      const claims = tokenClaimsSchema.safeParse(payload);
      if (!claims.success)
        throw new UnauthenticatedError('TOKEN_CLAIMS_INVALID', 'The token lacks required claims.');
      return claims.data;
    } catch (error) {
      throw toUnauthenticated(error);
    }
  }
}

/**
 * A credential problem is the caller's (401). An unreachable or broken JWKS is ours: rethrown, so
 * the gateway answers 5xx and clients keep their sessions instead of signing everyone out.
 */
function toUnauthenticated(error: unknown): UnauthenticatedError {
  if (error instanceof UnauthenticatedError) return error;
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) throw error;
  if (error instanceof errors.JWTExpired)
    return new UnauthenticatedError('TOKEN_EXPIRED', 'The token has expired.');
  if (error instanceof errors.JWTClaimValidationFailed) {
    return new UnauthenticatedError(
      'TOKEN_CLAIM_REJECTED',
      `The token's "${error.claim}" claim is not accepted.`,
    );
  }
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWSSignatureVerificationFailed) {
    return new UnauthenticatedError(
      'TOKEN_SIGNATURE_INVALID',
      'The token was not signed by the trusted issuer.',
    );
  }
  if (error instanceof errors.JOSEError) {
    return new UnauthenticatedError(
      'TOKEN_INVALID',
      'The token is malformed or uses an unsupported algorithm.',
    );
  }
  throw error;
}
