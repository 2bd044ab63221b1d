import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from '../../shared/aws/dynamodb';
import type { AuditRecord } from '../domain/audit-record';

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

export class AuditRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Stores a record once: EventBridge delivers at least once, a redelivery is a no-op. */
  async append(record: AuditRecord): Promise<'stored' | 'duplicate'> {
    const key = auditKeys.record(record);
    const actorKey = record.actor.type === 'user' ? record.actor.userId : `system:${record.actor.component}`;
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
}
