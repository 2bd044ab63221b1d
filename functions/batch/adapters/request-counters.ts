import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { QUOTA_WINDOW_SECONDS, type QuotaScope, type QuotaWindow } from '../domain/request-quota';

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

  /** Adds `count` to the caller's or the tenant's counter of `window` and returns the counter. */
  async add(
    who: { readonly tenantId: string; readonly userId: string },
    scope: QuotaScope,
    count: number,
    window: QuotaWindow,
  ): Promise<number> {
    const counter = scope === 'caller' ? `USER#${who.userId}` : 'TENANT';
    return this.raise(`TENANT#${who.tenantId}#QUOTA`, `WINDOW#${window.startsAt}#${counter}`, count, window);
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
