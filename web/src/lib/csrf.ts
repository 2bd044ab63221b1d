/** The cookie the local sign-in and the identity provider's session set; the page echoes it (docs/api.md). */
export const CSRF_COOKIE = 'muster_csrf';
export const CSRF_HEADER = 'x-csrf-token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A cookie's value from a `document.cookie` string; `undefined` when absent or empty. */
export function readCookie(cookies: string, name: string): string | undefined {
  for (const pair of cookies.split(';')) {
    const separator = pair.indexOf('=');
    if (separator < 0) continue;
    if (pair.slice(0, separator).trim() !== name) continue;
    const value = pair.slice(separator + 1).trim();
    if (!value) return undefined;
    try {
      return decodeURIComponent(value);
    } catch {
      // A value that is not percent-encoded is sent as it is: the server compares the raw token.
      return value;
    }
  }
  return undefined;
}

/**
 * The double-submit header an unsafe request needs under a browser session; nothing for a safe
 * method, and nothing without the cookie (the server then answers CSRF_TOKEN_MISSING, which says more
 * than a header we would have to invent).
 */
export function csrfHeaders(method: string, cookies: string): Record<string, string> {
  if (SAFE_METHODS.has(method.toUpperCase())) return {};
  const token = readCookie(cookies, CSRF_COOKIE);
  return token ? { [CSRF_HEADER]: token } : {};
}
