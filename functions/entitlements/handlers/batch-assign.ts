import { DirectoryRepository } from '../../identity/adapters/directory-repository';
import { principalResolver } from '../../identity/use-cases/resolve-principal';
import { createDocumentClient } from '../../shared/aws/dynamodb';
import { loadConfig } from '../../shared/config';
import { principalRoute } from '../../shared/http/api-route';
import { tableConfig } from '../../shared/runtime-config';
import { BundleRepository } from '../adapters/bundle-repository';
import { EntitlementRepository } from '../adapters/entitlement-repository';
import { assignmentRequestSchema } from '../domain/assignment';
import { assessmentResponseSchema } from '../domain/assignment-view';
import { assessRequest } from '../use-cases/assess-assignment';
import { grantsOnTable } from './principal-grants';

const config = loadConfig(tableConfig);
const documents = createDocumentClient();
const directory = new DirectoryRepository(documents, config.TABLE_NAME);
const deps = {
  directory,
  bundles: new BundleRepository(documents, config.TABLE_NAME),
  entitlements: new EntitlementRepository(documents, config.TABLE_NAME),
  clock: () => new Date(),
};

/** Least-privilege check of a batch assignment: findings and suggestions, nothing written. */
export const validateAssignment = principalRoute(
  {
    resolvePrincipal: principalResolver(directory, grantsOnTable(documents, config.TABLE_NAME)),
    flag: 'minimal-privilege-check',
    permission: 'roles.assign',
    operation: 'ValidateBatchAssignment',
    responseBody: assessmentResponseSchema,
    body: assignmentRequestSchema,
  },
  async ({ caller, body }) => {
    const assessment = await assessRequest(deps, caller, body);
    return {
      statusCode: 200,
      body: {
        ...assessment,
        merged: assessment.findings.filter((finding) => finding.severity === 'merged'),
        suggestions: [...new Set(assessment.findings.map((finding) => finding.suggestion))],
      },
    };
  },
);
