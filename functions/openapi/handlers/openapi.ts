// Bundled into the function: the document is generated at build time (npm run openapi), not at request time.
import document from '../../../openapi/openapi.json' with { type: 'json' };
import { publicRoute } from '../../shared/http/api-route';

/** `GET /openapi.json`: the API's OpenAPI 3.1 document, for anyone (it holds no tenant's data). */
export const getOpenApiDocument = publicRoute({ operation: 'GetOpenApiDocument' }, async () => ({
  statusCode: 200,
  body: document,
  // It changes only with a deployment.
  headers: { 'cache-control': 'public, max-age=300' },
}));
