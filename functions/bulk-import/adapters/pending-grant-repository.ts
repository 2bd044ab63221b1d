import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { type ApprovalStep, approvalStepSchema } from '../../approvals/domain/approval-step';
import { applied, isConditionFailure } from '../../shared/aws/dynamodb';

/** A role a user was given that must not be active until someone approves it. */
export interface PendingGrant {
  readonly tenantId: string;
  readonly userId: string;
  readonly role: string;
  readonly source: { readonly type: 'bulk_import'; readonly taskId: string; readonly row: number };
  readonly requestedAt: string;
}

export const GRANT_STATUSES = ['PENDING_APPROVAL', 'ACTIVE', 'REJECTED'] as const;
export type GrantStatus = (typeof GRANT_STATUSES)[number];

const storedGrantSchema = z.object({
  status: z.enum(GRANT_STATUSES),
  approval: approvalStepSchema.optional(),
  /** When the settlement was written: the time of the grant's event, however often it is published. */
  settledAt: z.string().optional(),
});
export type StoredGrant = z.infer<typeof storedGrantSchema>;

const key = (tenantId: string, userId: string, role: string) => ({
  PK: `TENANT#${tenantId}#USER#${userId}`,
  SK: `PENDING_GRANT#${role}`,
});

/**
 * Pending grants, one item per (user, role), listed per tenant on GSI2. A grant is written
 * PENDING_APPROVAL once (a replayed batch leaves it as it is) and settled once, by one approval:
 * ACTIVE or REJECTED with that approval's outcome.
 */
export class PendingGrantRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async put(grant: PendingGrant): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...key(grant.tenantId, grant.userId, grant.role),
            GSI2PK: `TENANT#${grant.tenantId}#PENDING_GRANTS`,
            GSI2SK: `${grant.requestedAt}#${grant.userId}#${grant.role}`,
            status: 'PENDING_APPROVAL',
            ...grant,
          },
          // A replayed batch must not turn a grant settled since back into a pending one.
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async get(tenantId: string, userId: string, role: string): Promise<StoredGrant | undefined> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: key(tenantId, userId, role), ConsistentRead: true }),
    );
    return result.Item ? storedGrantSchema.parse(result.Item) : undefined;
  }

  /**
   * Settles a pending grant with an approval's outcome. True when this write settled it; false
   * when it was settled before (a retry reads what was stored instead of writing it again with
   * another time) or does not exist.
   */
  async settle(
    tenantId: string,
    userId: string,
    role: string,
    status: Exclude<GrantStatus, 'PENDING_APPROVAL'>,
    approval: ApprovalStep,
    now: string,
  ): Promise<boolean> {
    return applied(
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key(tenantId, userId, role),
          UpdateExpression: 'SET #status = :status, approval = :approval, settledAt = :now',
          ConditionExpression: 'attribute_exists(PK) AND #status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':status': status,
            ':approval': approval,
            ':now': now,
            ':pending': 'PENDING_APPROVAL',
          },
        }),
      ),
    );
  }
}
