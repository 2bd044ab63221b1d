import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import openapiTS, { astToString } from 'openapi-typescript';
import { approvalViewSchema } from '../../functions/approvals/domain/approval-view';
import { auditEntrySchema } from '../../functions/audit/domain/audit-listing';
import {
  batchEnvelopeSchema,
  batchRequestSchema,
  batchResponseItemSchema,
  batchResponseSchema,
} from '../../functions/batch/domain/envelope';
import { issueLineSchema } from '../../functions/bulk-import/adapters/issue-codec';
import { importRunSchema } from '../../functions/bulk-import/use-cases/provisioning-runs';
import { importTaskViewSchema } from '../../functions/bulk-import/use-cases/task-view';
import { importUploadSchema } from '../../functions/bulk-import/use-cases/uploads';
import { assignmentViewSchema, findingSchema } from '../../functions/entitlements/domain/assignment-view';
import { bundleSchema } from '../../functions/entitlements/domain/bundle';
import { entitlementViewSchema } from '../../functions/entitlements/domain/entitlement-view';
import { userResourceSchema } from '../../functions/identity/domain/user';
import { meSchema } from '../../functions/identity/use-cases/describe-me';
import { errorEnvelopeSchema } from '../../functions/shared/http/error-envelope';
import { buildOpenApiDocument, type NamedSchema, type OperationNotes } from './document';
import { loadRouteContracts } from './route-contracts';

const REPOSITORY_ROOT = join(import.meta.dirname, '..', '..');

/** Where `npm run openapi` writes; the API serves the document, a front end imports the types. */
export const OPENAPI_DOCUMENT_PATH = 'openapi/openapi.json';
export const CLIENT_TYPES_PATH = 'clients/muster-api.d.ts';

/** The schemas a client refers to by name. */
const COMPONENTS: Readonly<Record<string, NamedSchema>> = {
  ErrorEnvelope: { schema: errorEnvelopeSchema, io: 'output' },
  User: { schema: userResourceSchema, io: 'output' },
  Me: { schema: meSchema, io: 'output' },
  AuditEntry: { schema: auditEntrySchema, io: 'output' },
  Approval: { schema: approvalViewSchema, io: 'output' },
  BatchAssignment: { schema: assignmentViewSchema, io: 'output' },
  AssignmentFinding: { schema: findingSchema, io: 'output' },
  UserEntitlement: { schema: entitlementViewSchema, io: 'output' },
  Bundle: { schema: bundleSchema, io: 'output' },
  BatchEnvelope: { schema: batchEnvelopeSchema, io: 'input' },
  BatchRequest: { schema: batchRequestSchema, io: 'input' },
  BatchResponse: { schema: batchResponseSchema, io: 'output' },
  BatchResponseItem: { schema: batchResponseItemSchema, io: 'output' },
  ImportTask: { schema: importTaskViewSchema, io: 'output' },
  ImportIssue: { schema: issueLineSchema, io: 'output' },
  ImportUpload: { schema: importUploadSchema, io: 'output' },
  ImportRun: { schema: importRunSchema, io: 'output' },
};

/**
 * What handlers do beyond their contracts, read off the handlers (`statusCode`, `requiredVersion` /
 * `expectedVersion`, `versionTag`); a note for an operation no route has fails the build.
 */
const NOTES: Readonly<Record<string, OperationNotes>> = {
  GetImportTemplate: {
    textMediaType: 'text/csv',
    seeOther: 'format=xlsx: a short-lived download of the workbook.',
  },
  CreateImportUpload: { status: 201 },
  StartImportValidation: { status: 202 },
  CommitImport: { status: 202 },
  RetryImportRows: { status: 202 },
  RedriveImportRun: { status: 202 },
  StartBatchAssignment: { status: 202 },
  StartApproval: { status: 201 },
  GetBundle: { etag: true },
  CreateBundle: { status: 201, etag: true },
  ReplaceBundle: { ifMatch: 'optional', etag: true },
  DeleteBundle: { status: 204, ifMatch: 'optional' },
  GetUser: { etag: true },
  CreateUser: { status: 201, etag: true },
  UpdateUser: { ifMatch: 'required', etag: true },
  ReplaceUserRoles: { ifMatch: 'required', etag: true },
  DeactivateUser: { etag: true },
  ReactivateUser: { etag: true },
};

const DESCRIPTION = [
  'Bulk identity provisioning: bulk user import, role and permission-bundle assignment with approvals,',
  'the admin user and audit API, and the JSON `$batch` API. Every error answers the `ErrorEnvelope`.',
  'Generated from the routes and their zod schemas by `npm run openapi`; docs/api.md has the prose.',
].join(' ');

export interface OpenApiArtifacts {
  /** `openapi/openapi.json` as written. */
  readonly document: string;
  /** `clients/muster-api.d.ts` as written. */
  readonly types: string;
}

export async function generateOpenApiArtifacts(): Promise<OpenApiArtifacts> {
  const { version } = JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'package.json'), 'utf8')) as {
    version: string;
  };
  const document = buildOpenApiDocument({
    info: { title: 'Muster API', version, description: DESCRIPTION },
    routes: await loadRouteContracts(),
    components: COMPONENTS,
    notes: NOTES,
  });
  const documentText = `${JSON.stringify(document, null, 2)}\n`;
  const types = astToString(await openapiTS(documentText, { silent: true }));
  return {
    document: documentText,
    types: `// Generated by \`npm run openapi\` from ${OPENAPI_DOCUMENT_PATH}: do not edit.\n\n${types}`,
  };
}
