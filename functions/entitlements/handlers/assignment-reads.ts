import { z } from 'zod';
import { DirectoryRepository } from '../../identity/adapters/directory-repository';
import { principalResolver } from '../../identity/use-cases/resolve-principal';
import { createDocumentClient } from '../../shared/aws/dynamodb';
import { loadConfig } from '../../shared/config';
import { principalRoute } from '../../shared/http/api-route';
import { tableConfig } from '../../shared/runtime-config';
import { AssignmentRepository } from '../adapters/assignment-repository';
import { assignmentViewSchema } from '../domain/assignment-view';
import { viewAssignment } from '../use-cases/batch-assign';
import { grantsOnTable } from './principal-grants';

const config = loadConfig(tableConfig);
const documents = createDocumentClient();
const directory = new DirectoryRepository(documents, config.TABLE_NAME);
const assignments = new AssignmentRepository(documents, config.TABLE_NAME);

/** A batch assignment's status, counts, each member's outcome and the approval chain. */
export const getAssignment = principalRoute(
  {
    resolvePrincipal: principalResolver(directory, grantsOnTable(documents, config.TABLE_NAME)),
    flag: 'iam-bulk-assign',
    permission: 'roles.assign',
    operation: 'GetBatchAssignment',
    responseBody: assignmentViewSchema,
    params: z.object({ assignmentId: z.string().regex(/^asg_[0-9a-z]{26}$/, 'must be an assignmentId') }),
  },
  async ({ caller, params }) => ({
    statusCode: 200,
    body: await viewAssignment({ assignments }, caller, params.assignmentId),
  }),
);
