// Writes the OpenAPI document the API serves and the client types a front end imports (npm run openapi).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CLIENT_TYPES_PATH, generateOpenApiArtifacts, OPENAPI_DOCUMENT_PATH } from './openapi/artifacts';

const { document, types } = await generateOpenApiArtifacts();
for (const [path, text] of [
  [OPENAPI_DOCUMENT_PATH, document],
  [CLIENT_TYPES_PATH, types],
] as const) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  console.log(path);
}
