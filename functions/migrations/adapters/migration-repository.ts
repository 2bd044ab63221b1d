import { DeleteCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { applied, isConditionFailure, queryAll } from '../../shared/aws/dynamodb';

const MIGRATIONS_PK = 'MIGRATIONS';
const LOCK_SK = '#LOCK';
const appliedItemSchema = z.object({ SK: z.string(), checksum: z.string().optional() });

/** Applied-migration records and the lock that keeps two runners (two deploys) from overlapping. */
export class MigrationRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Applied migration ids, each with the checksum it ran with (repeatable migrations only). */
  async applied(): Promise<Map<string, string | undefined>> {
    const records = await queryAll(
      this.client,
      {
        TableName: this.tableName,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': MIGRATIONS_PK },
      },
      (item) => appliedItemSchema.parse(item),
    );
    return new Map(records.filter(({ SK }) => SK !== LOCK_SK).map(({ SK, checksum }) => [SK, checksum]));
  }

  async recordApplied(id: string, description: string, appliedAt: Date, checksum?: string): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { PK: MIGRATIONS_PK, SK: id, description, appliedAt: appliedAt.toISOString(), checksum },
      }),
    );
  }

  /** Takes the lock unless another runner holds an unexpired one; returns whether it was taken. */
  async acquireLock(owner: string, now: Date, leaseSeconds: number): Promise<boolean> {
    const nowSeconds = Math.floor(now.getTime() / 1000);
    return applied(
      this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { PK: MIGRATIONS_PK, SK: LOCK_SK, owner, expiresAt: nowSeconds + leaseSeconds },
          ConditionExpression: 'attribute_not_exists(PK) OR expiresAt < :now',
          ExpressionAttributeValues: { ':now': nowSeconds },
        }),
      ),
    );
  }

  async releaseLock(owner: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { PK: MIGRATIONS_PK, SK: LOCK_SK },
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': owner },
        }),
      );
    } catch (error) {
      // The lease ran out and another runner took the lock: it is theirs to release now.
      if (!isConditionFailure(error)) throw error;
    }
  }
}
