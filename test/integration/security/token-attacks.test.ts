import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CryptoKey,
  calculateJwkThumbprint,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTPayload,
  SignJWT,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiResponse, apiAt, errorCode, uniqueTenant } from '../support/api';
import { startOwnStack } from '../support/own-stack';

/**
 * Forged and broken tokens against the authorizer, as a bearer token and as a session cookie. The
 * stack is this file's own, started with an issuer key the test wrote, so a token can be signed by
 * the trusted key and still be wrong in exactly one way (audience, issuer, nbf...): each refusal is
 * then for that reason alone. A control token made the same way gets in.
 */
let stopStack: () => Promise<void>;
let api: ReturnType<typeof apiAt>;
let dataDir: string;
let trustedKey: CryptoKey;
let trustedPublicJwk: JWK;
let kid: string;
let issuer: string;
let audience: string;
let claims: JWTPayload;

beforeAll(async () => {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  trustedKey = privateKey;
  trustedPublicJwk = await exportJWK(publicKey);
  kid = await calculateJwkThumbprint(trustedPublicJwk);
  dataDir = await mkdtemp(join(tmpdir(), 'muster-token-attacks-'));
  // The local issuer signs with the key it finds here (local/issuer/local-issuer.ts).
  await writeFile(join(dataDir, 'issuer-key.json'), JSON.stringify(await exportJWK(privateKey)));
  const own = await startOwnStack({}, { dataDir });
  stopStack = own.stop;
  api = apiAt(own.stack.apiUrl);
  issuer = own.stack.env.OIDC_ISSUER ?? '';
  audience = own.stack.env.OIDC_AUDIENCE ?? '';
  const tenantId = uniqueTenant('tok');
  const user = await api.principal(tenantId, 'target@tokens.test', ['superuser']);
  claims = { sub: user.userId, tenant_id: tenantId, email: 'target@tokens.test', email_verified: true };
}, 120_000);

afterAll(async () => {
  await stopStack?.();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const now = () => Math.floor(Date.now() / 1000);
const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A token signed by the trusted key; `change` makes it wrong in one way. */
function signed(change: { payload?: JWTPayload; header?: Record<string, unknown>; key?: CryptoKey } = {}) {
  const issuedAt = now();
  return new SignJWT({
    iss: issuer,
    aud: audience,
    iat: issuedAt,
    exp: issuedAt + 600,
    ...claims,
    ...change.payload,
  })
    .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT', ...change.header })
    .sign(change.key ?? trustedKey);
}

async function unsignedToken(): Promise<string> {
  const issuedAt = now();
  const payload = { iss: issuer, aud: audience, iat: issuedAt, exp: issuedAt + 600, ...claims };
  return `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(payload)}.`;
}

/** Algorithm confusion: HS256 keyed with what the issuer publishes, as a naive verifier would use it. */
async function hmacWithPublicKey(secret: 'pem' | 'jwk'): Promise<string> {
  const publicKey = await importJWK({ ...trustedPublicJwk, alg: 'ES256' }, 'ES256', { extractable: true });
  const material =
    secret === 'pem' ? await exportSPKI(publicKey as CryptoKey) : JSON.stringify(trustedPublicJwk);
  const issuedAt = now();
  return new SignJWT({ iss: issuer, aud: audience, iat: issuedAt, exp: issuedAt + 600, ...claims })
    .setProtectedHeader({ alg: 'HS256', kid, typ: 'JWT' })
    .sign(new TextEncoder().encode(material));
}

function tamperedSignature(token: string): string {
  const [header, payload, signature = ''] = token.split('.');
  const bytes = Buffer.from(signature, 'base64url');
  bytes[0] = (bytes[0] ?? 0) ^ 0x01;
  return `${header}.${payload}.${bytes.toString('base64url')}`;
}

function tamperedPayload(token: string): string {
  const [header, , signature] = token.split('.');
  const issuedAt = now();
  const payload = {
    iss: issuer,
    aud: audience,
    iat: issuedAt,
    exp: issuedAt + 600,
    ...claims,
    tenant_id: 'victim',
  };
  return `${header}.${base64url(payload)}.${signature}`;
}

async function strangerKey(): Promise<CryptoKey> {
  return (await generateKeyPair('ES256')).privateKey;
}

const ATTACKS: ReadonlyArray<readonly [string, () => Promise<string>]> = [
  [
    'expired (past the 30 s clock tolerance)',
    () => signed({ payload: { iat: now() - 3600, exp: now() - 120 } }),
  ],
  ['not yet valid (nbf 10 minutes ahead)', () => signed({ payload: { nbf: now() + 600 } })],
  ['for another audience', () => signed({ payload: { aud: 'someone-else' } })],
  [
    'from another issuer, signed by the trusted key',
    () => signed({ payload: { iss: 'https://evil.example' } }),
  ],
  ['alg: none, unsigned', unsignedToken],
  ['HS256 keyed with the public key as PEM', () => hmacWithPublicKey('pem')],
  ['HS256 keyed with the published JWK', () => hmacWithPublicKey('jwk')],
  ['with a tampered signature', async () => tamperedSignature(await signed())],
  ['with a tampered payload under the original signature', async () => tamperedPayload(await signed())],
  [
    'signed by another key under an unknown kid',
    async () => signed({ header: { kid: 'no-such-key' }, key: await strangerKey() }),
  ],
  ['signed by another key under the trusted kid', async () => signed({ key: await strangerKey() })],
  ['without the tenant claim', () => signed({ payload: { tenant_id: undefined } })],
  ['garbled', async () => 'not.a.jwt'],
  ['a single word', async () => 'token'],
];

function asBearer(token: string): Promise<ApiResponse> {
  return api.call('GET', '/v1/me', { headers: { authorization: `Bearer ${token}` } });
}

function asSession(token: string): Promise<ApiResponse> {
  return api.call('GET', '/v1/me', { headers: { cookie: `muster_session=${token}` } });
}

function expectUnauthenticated(response: ApiResponse): void {
  expect(response.status, response.text).toBe(401);
  expect(errorCode(response)).toBe('UNAUTHENTICATED');
  // The refusal names no check and echoes no token.
  expect(response.text).not.toMatch(/eyJ/);
}

describe('the control: a token signed by the trusted key with the right claims', () => {
  it('gets in as a bearer token and as a session cookie', async () => {
    const token = await signed();
    expect((await asBearer(token)).status).toBe(200);
    expect((await asSession(token)).status).toBe(200);
  });
});

describe.each([
  ['as a bearer token', asBearer],
  ['as a session cookie', asSession],
])('%s', (_how, send) => {
  it.each(ATTACKS)('a token %s gets 401 with the error envelope', async (_label, forge) => {
    expectUnauthenticated(await send(await forge()));
  });
});

describe('no token', () => {
  it.each([
    ['no credentials at all', {}],
    ['an empty session cookie', { cookie: 'muster_session=' }],
    ['only the CSRF cookie', { cookie: 'muster_csrf=abc' }],
    ['an empty bearer', { authorization: 'Bearer ' }],
  ])('%s gets 401 with the error envelope', async (_label, headers: Record<string, string>) => {
    expectUnauthenticated(await api.call('GET', '/v1/me', { headers }));
  });
});
