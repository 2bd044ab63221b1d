import { z } from 'zod';
import { grantsOnTable } from '../../entitlements/handlers/principal-grants';
import { principalResolver } from '../../identity/use-cases/resolve-principal';
import { principalRoute, requirePermission } from '../../shared/http/api-route';
import { MAX_JUSTIFICATION_LENGTH } from '../domain/approval';
import { approvalSubjectSchema } from '../domain/approval-subject';
import { approvalView, approvalViewSchema } from '../domain/approval-view';
import { decideApproval } from '../use-cases/decide-approval';
import { startApproval } from '../use-cases/start-approval';
import { approvalDeps, config, directory, documents } from './approval-deps';
import { APPROVAL_ID } from './approval-http';

const resolvePrincipal = principalResolver(directory, grantsOnTable(documents, config.TABLE_NAME));

/** Handing a subject to the approvals takes what starting that subject takes. */
const START_PERMISSION = { bulk_import: 'users.import', batch_assign: 'roles.assign' } as const;

/**
 * `POST /internal/approvals/start`: how a workflow outside Muster's own state machines opens its
 * subject's approval with its task token. It never replaces the token of an approval that exists
 * (409 APPROVAL_EXISTS): only Muster's own task (approval-tasks.ts) hands a new token over.
 */
export const postStart = principalRoute(
  {
    resolvePrincipal,
    operation: 'StartApproval',
    responseBody: approvalViewSchema,
    body: z.strictObject({ subject: approvalSubjectSchema, taskToken: z.string().min(1).max(2048) }),
  },
  async ({ caller, body, flags, correlationId }) => {
    requirePermission(caller, START_PERMISSION[body.subject.type], flags);
    const approval = await startApproval(
      approvalDeps(),
      { tenantId: caller.tenantId, correlationId, taskToken: body.taskToken, subject: body.subject },
      'refuse',
    );
    return { statusCode: 201, body: approvalView(approval) };
  },
);

/** `POST /internal/approvals/:approvalId/decision`: who may decide is the approval's own rule. */
export const postDecision = principalRoute(
  {
    resolvePrincipal,
    operation: 'DecideApproval',
    responseBody: approvalViewSchema,
    params: z.object({ approvalId: APPROVAL_ID }),
    body: z.strictObject({
      decision: z.enum(['APPROVE', 'REJECT']),
      justification: z.string().max(MAX_JUSTIFICATION_LENGTH).optional(),
    }),
  },
  async ({ caller, params, body }) => {
    const decider = { tenantId: caller.tenantId, userId: caller.currentUserId, roles: caller.access.roles };
    const approval = await decideApproval(approvalDeps(), decider, params.approvalId, body);
    return { statusCode: 200, body: approvalView(approval) };
  },
);
