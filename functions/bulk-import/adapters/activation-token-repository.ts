import { createHash, randomBytes } from 'node:crypto';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';

/**
 * Activation tokens for invited users. Only a hash is stored (a table read leaks no usable
 * token), keyed by that hash for the activation lookup; DynamoDB TTL removes expired ones.
 */
export class ActivationTokenRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Creates a token for a user and returns it: the only time the raw token exists. */
  async issue(tenantId: string, userId: string, now: Date, ttlHours: number): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    const hash = createHash('sha256').update(token).digest('base64url');
    const expiresAt = Math.floor(now.getTime() / 1000) + ttlHours * 3600;
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          PK: `ACTIVATION#${hash}`,
          SK: 'ACTIVATION',
          tenantId,
          userId,
          issuedAt: now.toISOString(),
          expiresAt,
        },
      }),
    );
    return token;
  }
}
