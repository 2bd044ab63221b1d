/**
 * Where the admin console lives and the security headers it is served with: one definition for
 * the local front (local/api/console-assets.ts) and CloudFront's response headers policy
 * (lib/console/console-construct.ts), so the browser gets the same policy in both places.
 */

/** The console's path on the API's own origin; the web build uses it as its Vite `base`. */
export const CONSOLE_PATH = '/console';

/** The web build's output, relative to the repository root (`npm run web:build`). */
export const CONSOLE_DIST_DIRECTORY = 'web/dist';

/** Vite puts every content-hashed file here: a changed file gets a new name, so it may be cached for good. */
export const CONSOLE_HASHED_ASSETS_DIRECTORY = 'assets';

/**
 * Same origin only: scripts, styles, fonts and API calls. `connect-src` also names the origins the
 * page uploads to and downloads from directly (presigned S3 URLs of the uploads and reports buckets).
 * `data:` images cover the small assets Vite inlines.
 */
export function consoleContentSecurityPolicy(connectSources: readonly string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    ["connect-src 'self'", ...connectSources].join(' '),
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export const CONSOLE_REFERRER_POLICY = 'same-origin';

/** Headers every console answer carries besides the CSP (HSTS is AWS-only: the local front is plain HTTP). */
export const CONSOLE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': CONSOLE_REFERRER_POLICY,
};

/**
 * What a browser upload to the uploads bucket needs: presigned PUT or POST, its signed headers, and
 * the ETag back. The CORS rule of the bucket in AWS (lib/console/uploads-cors.ts, with the console's
 * origins) and of the local bucket (local/s3/engine.ts, any origin) alike.
 */
export const UPLOAD_CORS_RULE = {
  AllowedMethods: ['PUT', 'POST'],
  AllowedHeaders: ['content-type', 'content-md5', 'x-amz-*'],
  ExposeHeaders: ['ETag'],
  MaxAgeSeconds: 3000,
} as const;
