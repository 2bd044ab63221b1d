import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';

/** A role a user was given that must not be active until someone approves it. */
export interface PendingGrant {
  readonly tenantId: string;
  readonly userId: string;
  readonly role: string;
  readonly source: { readonly type: 'bulk_import'; readonly taskId: string; readonly row: number };
  readonly requestedAt: string;
}

/**
 * Pending grants, one item per (user, role), listed per tenant on GSI2 for the approvals flow
 * (issue 4). Writing the same grant again is a no-op in effect.
 */
export class PendingGrantRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async put(grant: PendingGrant): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          PK: `TENANT#${grant.tenantId}#USER#${grant.userId}`,
          SK: `PENDING_GRANT#${grant.role}`,
          GSI2PK: `TENANT#${grant.tenantId}#PENDING_GRANTS`,
          GSI2SK: `${grant.requestedAt}#${grant.userId}#${grant.role}`,
          status: 'PENDING_APPROVAL',
          ...grant,
        },
      }),
    );
  }
}
