import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleAssets, consoleAssets } from '../../../local/api/console-assets';

const INDEX =
  '<!doctype html><title>Muster</title><script type="module" src="/console/assets/index-3f9a.js"></script>';
const BUNDLE = 'console.log("console")';

let root: string;
let dist: string;
let assets: ConsoleAssets;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'muster-console-'));
  dist = join(root, 'dist');
  mkdirSync(join(dist, 'assets'), { recursive: true });
  writeFileSync(join(dist, 'index.html'), INDEX);
  writeFileSync(join(dist, 'assets', 'index-3f9a.js'), BUNDLE);
  writeFileSync(join(dist, 'assets', 'index-77b1.css'), 'body{}');
  writeFileSync(join(dist, 'favicon.svg'), '<svg/>');
  writeFileSync(join(dist, '.env'), 'SECRET=1');
  writeFileSync(join(root, 'secret.txt'), 'outside the build');
  assets = consoleAssets({ distDirectory: dist, connectSources: ['http://127.0.0.1:4569'] });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const header = (reply: { headers: Readonly<Record<string, readonly string[]>> }, name: string) =>
  reply.headers[name]?.join(', ');

describe('which paths the console owns', () => {
  it.each([
    ['/console', true],
    ['/console/', true],
    ['/console/imports/01J', true],
    ['/consoles', false],
    ['/v1/users', false],
    ['/', false],
  ])('%s → %s', (path, owned) => {
    expect(assets.owns(path)).toBe(owned);
  });
});

describe('serving the build', () => {
  it('answers /console/ with index.html, revalidated on every load', async () => {
    const reply = await assets.reply('GET', '/console/');
    expect(reply.statusCode).toBe(200);
    expect(reply.body.toString()).toBe(INDEX);
    expect(header(reply, 'content-type')).toBe('text/html; charset=utf-8');
    expect(header(reply, 'cache-control')).toBe('no-cache');
  });

  it('redirects /console to /console/ so relative URLs resolve under the base', async () => {
    const reply = await assets.reply('GET', '/console');
    expect(reply.statusCode).toBe(301);
    expect(header(reply, 'location')).toBe('/console/');
  });

  it.each([
    ['/console/assets/index-3f9a.js', 'text/javascript; charset=utf-8', BUNDLE],
    ['/console/assets/index-77b1.css', 'text/css; charset=utf-8', 'body{}'],
  ])('serves the hashed asset %s as %s, cached for good', async (path, type, body) => {
    const reply = await assets.reply('GET', path);
    expect(reply.statusCode).toBe(200);
    expect(reply.body.toString()).toBe(body);
    expect(header(reply, 'content-type')).toBe(type);
    expect(header(reply, 'cache-control')).toBe('public, max-age=31536000, immutable');
    expect(header(reply, 'content-length')).toBe(String(Buffer.byteLength(body)));
  });

  it('serves an unhashed file at the root of the build without long caching', async () => {
    const reply = await assets.reply('GET', '/console/favicon.svg');
    expect(header(reply, 'content-type')).toBe('image/svg+xml');
    expect(header(reply, 'cache-control')).toBe('no-cache');
  });

  it.each(['/console/imports', '/console/imports/01JABC/', '/console/users/42/roles'])(
    'answers the client route %s with index.html',
    async (path) => {
      const reply = await assets.reply('GET', path);
      expect(reply.statusCode).toBe(200);
      expect(reply.body.toString()).toBe(INDEX);
    },
  );

  it.each(['/console/missing.js', '/console/assets/index-0000.js', '/console/assets/chunk'])(
    'answers a missing file %s with 404, not the page',
    async (path) => {
      const reply = await assets.reply('GET', path);
      expect(reply.statusCode).toBe(404);
      expect(reply.body.toString()).toContain(path);
    },
  );

  it('answers HEAD with the headers and length of GET and no body', async () => {
    const reply = await assets.reply('HEAD', '/console/assets/index-3f9a.js');
    expect(reply.statusCode).toBe(200);
    expect(reply.body.length).toBe(0);
    expect(header(reply, 'content-length')).toBe(String(Buffer.byteLength(BUNDLE)));
  });

  it.each(['POST', 'PUT', 'DELETE'])('refuses %s with 405 and Allow', async (method) => {
    const reply = await assets.reply(method, '/console/');
    expect(reply.statusCode).toBe(405);
    expect(header(reply, 'allow')).toBe('GET, HEAD');
  });
});

describe('paths that try to leave the build', () => {
  it.each([
    '/console/../secret.txt',
    '/console/assets/../../secret.txt',
    '/console/%2e%2e/secret.txt',
    '/console/%2E%2E%2Fsecret.txt',
    '/console/..%5Csecret.txt',
    '/console/.env',
    '/console/./index.html',
    '/console/index.html%00.js',
    '/console/%E0%A4%A',
  ])('refuses %s with 400 and never reads outside the build', async (path) => {
    const reply = await assets.reply('GET', path);
    expect(reply.statusCode).toBe(400);
    expect(reply.body.toString()).not.toContain('outside the build');
    expect(reply.body.toString()).not.toContain('SECRET');
  });
});

describe('security headers', () => {
  it.each(['/console/', '/console/assets/index-3f9a.js', '/console/missing.js', '/console/../x'])(
    'every answer (%s) carries the console policy',
    async (path) => {
      const reply = await assets.reply('GET', path);
      const csp = header(reply, 'content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("connect-src 'self' http://127.0.0.1:4569");
      expect(csp).not.toContain('unsafe-inline');
      expect(header(reply, 'x-content-type-options')).toBe('nosniff');
      expect(header(reply, 'x-frame-options')).toBe('DENY');
      expect(header(reply, 'referrer-policy')).toBe('same-origin');
    },
  );
});

describe('before the console is built', () => {
  it('answers every console path with a 503 page that says how to build it', async () => {
    const unbuilt = consoleAssets({ distDirectory: join(root, 'no-such-dist') });
    for (const path of ['/console/', '/console/imports', '/console/assets/index-3f9a.js']) {
      const reply = await unbuilt.reply('GET', path);
      expect(reply.statusCode).toBe(503);
      expect(header(reply, 'content-type')).toBe('text/html; charset=utf-8');
      expect(reply.body.toString()).toContain('npm run web:build');
      expect(header(reply, 'content-security-policy')).toContain("frame-ancestors 'none'");
    }
  });

  it('serves the build as soon as it appears, without a restart', async () => {
    const later = join(root, 'later-dist');
    const pending = consoleAssets({ distDirectory: later });
    expect((await pending.reply('GET', '/console/')).statusCode).toBe(503);
    mkdirSync(later);
    writeFileSync(join(later, 'index.html'), INDEX);
    expect((await pending.reply('GET', '/console/')).statusCode).toBe(200);
  });
});
