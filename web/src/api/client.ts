import createClient from 'openapi-fetch';
import type { paths } from '../../../clients/muster-api';
import { type ApiProblem, toApiProblem } from '../lib/api-error';
import { csrfHeaders } from '../lib/csrf';

/**
 * The API client, typed by the OpenAPI document's generated `paths`: a contract change breaks
 * `tsc -p web`, not the page. Same origin (the console is served by the API's origin), so the
 * session cookie travels by itself; unsafe requests echo the CSRF cookie.
 */
export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin' });

api.use({
  onRequest({ request }) {
    for (const [name, value] of Object.entries(csrfHeaders(request.method, document.cookie))) {
      request.headers.set(name, value);
    }
    return request;
  },
});

export class ApiError extends Error {
  constructor(readonly problem: ApiProblem) {
    super(problem.message);
  }
}

/**
 * The body of a successful answer, or an ApiError carrying the envelope. Routes whose contract has
 * no response schema yet come back as `Record<string, never>`; the caller names their shape.
 */
export async function unwrap<T>(
  call: Promise<{ data?: unknown; error?: unknown; response: Response }>,
): Promise<T> {
  let result: { data?: unknown; error?: unknown; response: Response };
  try {
    result = await call;
  } catch {
    throw new ApiError(toApiProblem(0, undefined));
  }
  if (!result.response.ok) throw new ApiError(toApiProblem(result.response.status, result.error));
  return result.data as T;
}

export function problemOf(error: unknown): ApiProblem {
  return error instanceof ApiError ? error.problem : toApiProblem(0, undefined);
}
