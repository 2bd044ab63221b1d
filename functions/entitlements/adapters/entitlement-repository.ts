import { setTimeout as sleep } from 'node:timers/promises';
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { approvalStepSchema } from '../../approvals/domain/approval-step';
import { dueIndexKeys, listDue, type SweepScope } from '../../shared/aws/due-index';
import { applied, putAll, queryAll } from '../../shared/aws/dynamodb';
import { ThrottledError } from '../../shared/errors';
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
  approvalChain: z.array(approvalStepSchema),
  grantedBy: z.string(),
  remindersSent: z.array(z.number().int()).optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
}) satisfies z.ZodType<Entitlement>;

/** Which grant: the key of its item. */
export interface GrantKey {
  readonly userId: string;
  readonly scope: string;
  readonly bundleId: string;
}

/** An entitlement found on the due index, with the index key it was found under. */
export interface DueEntitlement {
  readonly entitlement: Entitlement;
  readonly dueKey: string;
}

/** BatchGetItem's limit per request. */
const BATCH_GET_KEYS = 100;
const UNPROCESSED_ATTEMPTS = 6;

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

  /**
   * Writes entitlements, replacing any of the same (user, scope, bundle). `dueAtOf` names when
   * each next needs the expiry sweep (functions/shared/aws/due-index.ts); none, no timer.
   */
  async putAll(
    entitlements: readonly Entitlement[],
    dueAtOf: (entitlement: Entitlement) => Date | undefined = () => undefined,
  ): Promise<void> {
    await putAll(
      this.client,
      this.tableName,
      entitlements.map((entitlement) => {
        const key = keys.entitlement(
          entitlement.tenantId,
          entitlement.userId,
          entitlement.scope,
          entitlement.bundleId,
        );
        const dueAt = dueAtOf(entitlement);
        return {
          ...key,
          ...keys.holders(entitlement.tenantId, entitlement.bundleId, entitlement.scope, entitlement.userId),
          ...(dueAt ? dueIndexKeys('entitlement', dueAt, key) : {}),
          ...entitlement,
        };
      }),
    );
  }

  /**
   * Writes a grant PENDING_APPROVAL for an assignment unless the same (user, scope, bundle) is
   * ACTIVE or PENDING_APPROVAL for something else: a grant made or requested elsewhere since the
   * assessment is not overwritten (a rejection of ours would otherwise take away access the user
   * holds). `false` when refused.
   */
  async putPending(entitlement: Entitlement, assignmentId: string): Promise<boolean> {
    const key = keys.entitlement(
      entitlement.tenantId,
      entitlement.userId,
      entitlement.scope,
      entitlement.bundleId,
    );
    return applied(
      this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...key,
            ...keys.holders(
              entitlement.tenantId,
              entitlement.bundleId,
              entitlement.scope,
              entitlement.userId,
            ),
            ...entitlement,
          },
          ConditionExpression:
            'attribute_not_exists(PK) OR NOT (#status IN (:active, :pending)) OR #source.assignmentId = :assignmentId',
          ExpressionAttributeNames: { '#status': 'status', '#source': 'source' },
          ExpressionAttributeValues: {
            ':active': 'ACTIVE',
            ':pending': 'PENDING_APPROVAL',
            ':assignmentId': assignmentId,
          },
        }),
      ),
    );
  }

  /** The entitlements of these grants that exist, in no particular order (strongly consistent). */
  async getMany(tenantId: string, grants: readonly GrantKey[]): Promise<Entitlement[]> {
    const found: Entitlement[] = [];
    for (let start = 0; start < grants.length; start += BATCH_GET_KEYS) {
      let pending: Record<string, unknown>[] = grants
        .slice(start, start + BATCH_GET_KEYS)
        .map((grant) => keys.entitlement(tenantId, grant.userId, grant.scope, grant.bundleId));
      for (let attempt = 1; pending.length > 0; attempt++) {
        if (attempt > UNPROCESSED_ATTEMPTS) {
          throw new ThrottledError('READS_UNPROCESSED', 'The table is busy; retry shortly.', 1);
        }
        if (attempt > 1) await sleep(25 * 2 ** attempt * Math.random());
        const output = await this.client.send(
          new BatchGetCommand({
            RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } },
          }),
        );
        for (const item of output.Responses?.[this.tableName] ?? [])
          found.push(entitlementItemSchema.parse(item));
        pending = output.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      }
    }
    return found;
  }

  /** Entitlements whose timer is due at `now` (GSI3, eventually consistent: check again on write). */
  async listDue(scope: SweepScope): Promise<DueEntitlement[]> {
    return listDue(this.client, this.tableName, 'entitlement', scope, (item) => ({
      entitlement: entitlementItemSchema.parse(item),
      dueKey: z.string().parse(item.GSI3SK),
    }));
  }

  /**
   * Records what the expiry sweep did to a due ACTIVE entitlement (expired it, or sent a reminder
   * and moved its timer), only if it is still ACTIVE under the same timer: a second sweep, or a
   * renewal that replaced the grant meanwhile, makes this a no-op (`false`).
   */
  async recordExpiry(
    found: DueEntitlement,
    change:
      | { readonly status: 'EXPIRED' }
      | { readonly remindersSent: readonly number[]; readonly nextDueAt: Date },
    now: string,
  ): Promise<boolean> {
    const { entitlement } = found;
    const key = keys.entitlement(
      entitlement.tenantId,
      entitlement.userId,
      entitlement.scope,
      entitlement.bundleId,
    );
    const update =
      'status' in change
        ? {
            expression: 'SET #status = :expired, updatedAt = :now REMOVE GSI3PK, GSI3SK',
            values: { ':expired': change.status },
          }
        : {
            expression: 'SET remindersSent = :sent, updatedAt = :now, GSI3PK = :duePk, GSI3SK = :dueSk',
            values: dueValues(dueIndexKeys('entitlement', change.nextDueAt, key), change.remindersSent),
          };
    return this.conditionally(
      new UpdateCommand({
        TableName: this.tableName,
        Key: key,
        UpdateExpression: update.expression,
        ConditionExpression: '#status = :active AND GSI3SK = :found',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ...update.values,
          ':now': now,
          ':active': 'ACTIVE',
          ':found': found.dueKey,
        },
      }),
    );
  }

  /** Takes a due entitlement that is no longer ACTIVE (revoked, replaced) off the due index. */
  async clearDue(found: DueEntitlement): Promise<boolean> {
    const { entitlement } = found;
    return this.conditionally(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.entitlement(
          entitlement.tenantId,
          entitlement.userId,
          entitlement.scope,
          entitlement.bundleId,
        ),
        UpdateExpression: 'REMOVE GSI3PK, GSI3SK',
        ConditionExpression: '#status <> :active AND GSI3SK = :found',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':active': 'ACTIVE', ':found': found.dueKey },
      }),
    );
  }

  /**
   * Settles a grant still PENDING_APPROVAL for this assignment (REJECTED, with the approval chain);
   * `false` when it is not (settled already by a retry, or replaced by another grant since).
   */
  async settlePending(
    tenantId: string,
    grant: GrantKey,
    assignmentId: string,
    settled: Pick<Entitlement, 'status' | 'approvalChain'>,
    now: string,
  ): Promise<boolean> {
    return this.conditionally(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.entitlement(tenantId, grant.userId, grant.scope, grant.bundleId),
        UpdateExpression: 'SET #status = :status, approvalChain = :chain, updatedAt = :now',
        ConditionExpression: '#status = :pending AND #source.assignmentId = :assignmentId',
        ExpressionAttributeNames: { '#status': 'status', '#source': 'source' },
        ExpressionAttributeValues: {
          ':status': settled.status,
          ':chain': settled.approvalChain,
          ':now': now,
          ':pending': 'PENDING_APPROVAL',
          ':assignmentId': assignmentId,
        },
      }),
    );
  }

  private conditionally(command: UpdateCommand): Promise<boolean> {
    return applied(this.client.send(command));
  }
}

function dueValues(due: { GSI3PK: string; GSI3SK: string }, remindersSent: readonly number[]) {
  return { ':sent': [...remindersSent], ':duePk': due.GSI3PK, ':dueSk': due.GSI3SK };
}
