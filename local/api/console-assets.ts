import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import {
  CONSOLE_HASHED_ASSETS_DIRECTORY,
  CONSOLE_PATH,
  CONSOLE_SECURITY_HEADERS,
  consoleContentSecurityPolicy,
} from '../../config/console-hosting';
import type { HttpReply } from './reply';

export interface ConsoleAssetsOptions {
  /** The web build's output (`web/dist`); read on every request, so a rebuild needs no restart. */
  readonly distDirectory: string;
  /** Origins the page may reach besides its own (the local S3 engine, for presigned uploads). */
  readonly connectSources?: readonly string[];
}

/** Serves the admin console's static files under `/console/` from the API's own origin. */
export interface ConsoleAssets {
  /** Whether the front should hand this path to the console rather than to the API routes. */
  owns(path: string): boolean;
  reply(method: string, path: string): Promise<HttpReply>;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};
const IMMUTABLE = 'public, max-age=31536000, immutable';
// index.html names the hashed bundles of the current build: the browser must revalidate it every time.
const REVALIDATE = 'no-cache';

export function consoleAssets(options: ConsoleAssetsOptions): ConsoleAssets {
  const root = resolve(options.distDirectory);
  const securityHeaders: Record<string, readonly string[]> = {
    'content-security-policy': [consoleContentSecurityPolicy(options.connectSources)],
    ...Object.fromEntries(Object.entries(CONSOLE_SECURITY_HEADERS).map(([name, value]) => [name, [value]])),
  };
  const reply = (
    statusCode: number,
    contentType: string,
    body: Buffer | string,
    headers: Record<string, readonly string[]> = {},
  ): HttpReply => ({
    statusCode,
    headers: { 'content-type': [contentType], 'cache-control': [REVALIDATE], ...securityHeaders, ...headers },
    body: Buffer.isBuffer(body) ? body : Buffer.from(body),
  });
  const text = (statusCode: number, message: string, headers: Record<string, readonly string[]> = {}) =>
    reply(statusCode, 'text/plain; charset=utf-8', `${message}\n`, headers);

  return {
    owns: (path) => path === CONSOLE_PATH || path.startsWith(`${CONSOLE_PATH}/`),
    async reply(method, path) {
      if (method !== 'GET' && method !== 'HEAD') {
        return text(405, `The console only answers GET and HEAD, not ${method}.`, { allow: ['GET, HEAD'] });
      }
      if (path === CONSOLE_PATH) return text(301, `See ${CONSOLE_PATH}/`, { location: [`${CONSOLE_PATH}/`] });

      const segments = decodedSegments(path.slice(CONSOLE_PATH.length + 1));
      if (!segments) return text(400, 'Malformed console path: no "..", ".", dot-files, backslashes or NUL.');
      const indexFile = join(root, 'index.html');
      if (!(await isFile(indexFile))) {
        return reply(503, 'text/html; charset=utf-8', NOT_BUILT_PAGE, { 'retry-after': ['5'] });
      }

      const file = resolve(root, ...segments);
      // decodedSegments refuses traversal already; this keeps any other trick inside the build too.
      if (file !== root && !file.startsWith(`${root}${sep}`)) return text(400, 'Malformed console path.');
      const immutable = segments[0] === CONSOLE_HASHED_ASSETS_DIRECTORY && segments.length > 1;
      if (segments.length > 0 && (await isFile(file))) {
        const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
        return served(
          method,
          reply(200, type, await readFile(file), immutable ? { 'cache-control': [IMMUTABLE] } : {}),
        );
      }
      // A missing file is a 404; a path without an extension is a page of the client-side router.
      const last = segments.at(-1) ?? '';
      if (immutable || extname(last) !== '') return text(404, `No console file at ${path}.`);
      return served(method, reply(200, CONTENT_TYPES['.html'] ?? 'text/html', await readFile(indexFile)));
    },
  };
}

/** The path's segments, decoded; undefined for anything that could leave the build directory or hide in it. */
function decodedSegments(rest: string): string[] | undefined {
  const segments: string[] = [];
  for (const raw of rest.split('/')) {
    if (raw === '') continue;
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (segment.startsWith('.') || /[\\/\0]/.test(segment)) return undefined;
    segments.push(segment);
  }
  return segments;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** A HEAD answer keeps the GET's headers and length, without the body. */
function served(method: string, reply: HttpReply): HttpReply {
  const headers = { ...reply.headers, 'content-length': [String(reply.body.length)] };
  return method === 'HEAD' ? { ...reply, headers, body: Buffer.alloc(0) } : { ...reply, headers };
}

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Muster console not built</title></head>
<body>
<main>
<h1>The Muster console is not built yet</h1>
<p><code>npm start</code> builds it a few seconds after the API is up: reload this page in a moment.
If it stays, the output of <code>npm start</code> says why; <code>npm run web:build</code> in the
repository builds it too, and the local stack serves <code>web/dist</code> as it finds it, with no
restart.</p>
</main>
</body>
</html>
`;
