import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { QUOTA_WINDOW_SECONDS, type QuotaCounts, type QuotaWindow } from '../domain/request-quota';

const countSchema = z.object({ Attributes: z.object({ requests: z.number().int() }) });

/**
 * The `$batch` quota counters: one item per caller and one per tenant for each minute, under the
 * tenant's partition, each raised by an atomic ADD. They outlive their window briefly, then TTL
 * removes them.
 */
export class RequestCounters {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async add(
    who: { readonly tenantId: string; readonly userId: string },
    count: number,
    window: QuotaWindow,
  ): Promise<QuotaCounts> {
    const partition = `TENANT#${who.tenantId}#QUOTA`;
    const [caller, tenant] = await Promise.all([
      this.raise(partition, `WINDOW#${window.startsAt}#USER#${who.userId}`, count, window),
      this.raise(partition, `WINDOW#${window.startsAt}#TENANT`, count, window),
    ]);
    return { caller, tenant };
  }

  private async raise(PK: string, SK: string, count: number, window: QuotaWindow): Promise<number> {
    const output = await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { PK, SK },
        UpdateExpression: 'ADD requests :count SET expiresAt = if_not_exists(expiresAt, :expiresAt)',
        ExpressionAttributeValues: {
          ':count': count,
          ':expiresAt': window.startsAt + 2 * QUOTA_WINDOW_SECONDS,
        },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return countSchema.parse(output).Attributes.requests;
  }
}
