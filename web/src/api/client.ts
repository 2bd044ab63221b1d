import createClient from 'openapi-fetch';
import type { paths } from '../../../clients/muster-api';
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

export { ApiError, problemOf, unwrap } from '../lib/api-answer';
