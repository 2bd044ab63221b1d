import { createHash, randomBytes } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { putAll } from '../../shared/aws/dynamodb';

/**
 * Activation tokens for invited users. Only a hash is stored (a table read leaks no usable
 * token), keyed by that hash for the activation lookup; DynamoDB TTL removes expired ones.
 */
export class ActivationTokenRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Creates a token for each user and returns them: the only time the raw tokens exist. Written
   * 25 to a request: one write per batch of welcome emails, not one per email.
   */
  async issueAll(
    tenantId: string,
    userIds: readonly string[],
    now: Date,
    ttlHours: number,
  ): Promise<Map<string, string>> {
    const expiresAt = Math.floor(now.getTime() / 1000) + ttlHours * 3600;
    const tokens = new Map(userIds.map((userId) => [userId, randomBytes(32).toString('base64url')]));
    await putAll(
      this.client,
      this.tableName,
      [...tokens].map(([userId, token]) => ({
        PK: `ACTIVATION#${createHash('sha256').update(token).digest('base64url')}`,
        SK: 'ACTIVATION',
        tenantId,
        userId,
        issuedAt: now.toISOString(),
        expiresAt,
      })),
    );
    return tokens;
  }
}
