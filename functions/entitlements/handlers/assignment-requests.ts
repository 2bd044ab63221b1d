import { SFNClient } from '@aws-sdk/client-sfn';
import { DirectoryRepository } from '../../identity/adapters/directory-repository';
import { principalResolver } from '../../identity/use-cases/resolve-principal';
import { createDocumentClient } from '../../shared/aws/dynamodb';
import { WorkflowClient } from '../../shared/aws/workflow-client';
import { loadConfig } from '../../shared/config';
import { principalRoute } from '../../shared/http/api-route';
import { idempotencyKeyOf } from '../../shared/http/request-parsing';
import { tableConfig } from '../../shared/runtime-config';
import { AssignmentRepository } from '../adapters/assignment-repository';
import { BundleRepository } from '../adapters/bundle-repository';
import { EntitlementRepository } from '../adapters/entitlement-repository';
import { batchAssignRequestSchema } from '../domain/assignment-task';
import { assignmentStartedSchema } from '../domain/assignment-view';
import { batchAssignWorkflowConfig } from '../runtime-config';
import { requestAssignment } from '../use-cases/batch-assign';
import { grantsOnTable } from './principal-grants';

const config = loadConfig(tableConfig.extend(batchAssignWorkflowConfig.shape));
const documents = createDocumentClient();
const directory = new DirectoryRepository(documents, config.TABLE_NAME);
const deps = {
  directory,
  bundles: new BundleRepository(documents, config.TABLE_NAME),
  entitlements: new EntitlementRepository(documents, config.TABLE_NAME),
  assignments: new AssignmentRepository(documents, config.TABLE_NAME),
  workflow: new WorkflowClient(new SFNClient({})),
  stateMachineArn: config.BATCH_ASSIGN_STATE_MACHINE_ARN,
  clock: () => new Date(),
};

/** Starts a batch assignment: 202 with its id; 422 ASSIGNMENT_REFUSED with the blocking findings. */
export const postAssignment = principalRoute(
  {
    resolvePrincipal: principalResolver(directory, grantsOnTable(documents, config.TABLE_NAME)),
    flag: 'iam-bulk-assign',
    permission: 'roles.assign',
    operation: 'StartBatchAssignment',
    responseBody: assignmentStartedSchema,
    body: batchAssignRequestSchema,
  },
  async ({ caller, body, headers }) => ({
    statusCode: 202,
    body: await requestAssignment(deps, caller, body, idempotencyKeyOf(headers)),
  }),
);
