import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { putAll, queryAll } from '../../shared/aws/dynamodb';
import { RISK_LEVELS } from '../domain/bundle';
import { ENTITLEMENT_STATUSES, type Entitlement } from '../domain/entitlement';

/**
 * One item per (user, scope, bundle): granting a bundle the user already has in that scope
 * replaces the grant (duplicates merge), and the audit trail keeps the history. Holders of a
 * bundle are listed per tenant on GSI2 for the peer comparison of least-privilege checks.
 */
const keys = {
  entitlement: (tenantId: string, userId: string, scope: string, bundleId: string) => ({
    PK: `TENANT#${tenantId}#USER#${userId}`,
    SK: `ENTITLEMENT#${scope}#${bundleId}`,
  }),
  holders: (tenantId: string, bundleId: string, scope: string, userId: string) => ({
    GSI2PK: `TENANT#${tenantId}#BUNDLE#${bundleId}#HOLDERS`,
    GSI2SK: `${scope}#${userId}`,
  }),
};

const entitlementItemSchema = z.object({
  tenantId: z.string(),
  entitlementId: z.string(),
  userId: z.string(),
  bundleId: z.string(),
  scope: z.string(),
  risk: z.enum(RISK_LEVELS),
  validFrom: z.string(),
  validUntil: z.string().optional(),
  source: z.discriminatedUnion('type', [
    z.object({ type: z.literal('batch_assign'), assignmentId: z.string() }),
    z.object({ type: z.literal('bulk_import'), taskId: z.string(), row: z.number().int() }),
    z.object({ type: z.literal('direct') }),
  ]),
  status: z.enum(ENTITLEMENT_STATUSES),
  approvalChain: z.array(
    z.object({
      approvalId: z.string(),
      decision: z.enum(['APPROVED', 'REJECTED', 'EXPIRED']),
      decidedBy: z.string().optional(),
      decidedAt: z.string(),
      justification: z.string().optional(),
    }),
  ),
  grantedBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
}) satisfies z.ZodType<Entitlement>;

export class EntitlementRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Every entitlement of a user, whatever its status. */
  async listForUser(tenantId: string, userId: string): Promise<Entitlement[]> {
    return queryAll(
      this.client,
      {
        TableName: this.tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :entitlement)',
        ExpressionAttributeValues: {
          ':pk': `TENANT#${tenantId}#USER#${userId}`,
          ':entitlement': 'ENTITLEMENT#',
        },
      },
      (item) => entitlementItemSchema.parse(item),
    );
  }

  /** The entitlements of a bundle in a scope, whatever their status (GSI2, eventually consistent). */
  async listHolders(tenantId: string, bundleId: string, scope: string): Promise<Entitlement[]> {
    const { GSI2PK, GSI2SK } = keys.holders(tenantId, bundleId, scope, '');
    return queryAll(
      this.client,
      {
        TableName: this.tableName,
        IndexName: 'GSI2',
        KeyConditionExpression: 'GSI2PK = :pk AND begins_with(GSI2SK, :scope)',
        ExpressionAttributeValues: { ':pk': GSI2PK, ':scope': GSI2SK },
      },
      (item) => entitlementItemSchema.parse(item),
    );
  }

  /** Writes entitlements, replacing any of the same (user, scope, bundle). */
  async putAll(entitlements: readonly Entitlement[]): Promise<void> {
    await putAll(
      this.client,
      this.tableName,
      entitlements.map((entitlement) => ({
        ...keys.entitlement(
          entitlement.tenantId,
          entitlement.userId,
          entitlement.scope,
          entitlement.bundleId,
        ),
        ...keys.holders(entitlement.tenantId, entitlement.bundleId, entitlement.scope, entitlement.userId),
        ...entitlement,
      })),
    );
  }
}
