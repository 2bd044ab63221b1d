import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from '../../shared/aws/dynamodb';
import { actorKeyOf } from '../domain/audit-listing';
import type { AuditRecord } from '../domain/audit-record';
import type { AuditPartition, AuditTrail } from '../use-cases/list-audit';

/**
 * Audit records in the single table. The main key spreads a tenant's trail over one partition a
 * day (a 100,000-row import writes 100,000 records; one partition takes ~1,000 writes/s);
 * GSI1 finds a tenant's records by actor, GSI2 by target, both in time order.
 */
export const auditKeys = {
  record: (record: Pick<AuditRecord, 'tenantId' | 'occurredAt' | 'eventId'>) => ({
    PK: `TENANT#${record.tenantId}#AUDIT#${record.occurredAt.slice(0, 10)}`,
    SK: `${record.occurredAt}#${record.eventId}`,
  }),
  byActor: (tenantId: string, actorKey: string, sortKey: string) => ({
    GSI1PK: `TENANT#${tenantId}#AUDIT#ACTOR#${actorKey}`,
    GSI1SK: sortKey,
  }),
  byTarget: (tenantId: string, targetId: string, sortKey: string) => ({
    GSI2PK: `TENANT#${tenantId}#AUDIT#TARGET#${targetId}`,
    GSI2SK: sortKey,
  }),
} as const;

export class AuditRepository implements AuditTrail {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Stores a record once: EventBridge delivers at least once, a redelivery is a no-op. */
  async append(record: AuditRecord): Promise<'stored' | 'duplicate'> {
    const key = auditKeys.record(record);
    const actorKey = actorKeyOf(record);
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...key,
            ...auditKeys.byActor(record.tenantId, actorKey, key.SK),
            ...(record.targetId ? auditKeys.byTarget(record.tenantId, record.targetId, key.SK) : {}),
            ...record,
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
      return 'stored';
    } catch (error) {
      if (isConditionFailure(error)) return 'duplicate';
      throw error;
    }
  }

  async pageOf(
    tenantId: string,
    partition: AuditPartition,
    range: { from: string; before: string },
    limit: number,
  ): Promise<{ records: AuditRecord[]; more: boolean }> {
    const { indexName, partitionKey, sortKey, value } = partitionQuery(tenantId, partition);
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        ...(indexName ? { IndexName: indexName } : {}),
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :before',
        ExpressionAttributeNames: { '#pk': partitionKey, '#sk': sortKey },
        ExpressionAttributeValues: { ':pk': value, ':from': range.from, ':before': range.before },
        ScanIndexForward: false,
        // BETWEEN includes `before`: one more than asked, because the record a page ended on may come back first.
        Limit: limit + 1,
      }),
    );
    const records = (result.Items ?? []).filter((item) => item[sortKey] !== range.before).map(toRecord);
    return {
      records: records.slice(0, limit),
      more: records.length > limit || result.LastEvaluatedKey !== undefined,
    };
  }
}

function partitionQuery(tenantId: string, partition: AuditPartition) {
  switch (partition.kind) {
    case 'target':
      return {
        indexName: 'GSI2',
        partitionKey: 'GSI2PK',
        sortKey: 'GSI2SK',
        value: auditKeys.byTarget(tenantId, partition.targetId, '').GSI2PK,
      };
    case 'actor':
      return {
        indexName: 'GSI1',
        partitionKey: 'GSI1PK',
        sortKey: 'GSI1SK',
        value: auditKeys.byActor(tenantId, partition.actorKey, '').GSI1PK,
      };
    case 'day':
      return {
        indexName: undefined,
        partitionKey: 'PK',
        sortKey: 'SK',
        value: auditKeys.record({ tenantId, occurredAt: partition.day, eventId: '' }).PK,
      };
  }
}

function toRecord(item: Record<string, unknown>): AuditRecord {
  const { PK, SK, GSI1PK, GSI1SK, GSI2PK, GSI2SK, ...record } = item;
  return record as unknown as AuditRecord;
}
