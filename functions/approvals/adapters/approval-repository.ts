import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { findingSchema } from '../../entitlements/domain/assignment-view';
import { RISK_LEVELS } from '../../entitlements/domain/bundle';
import { dueIndexKeys, listDue, type SweepScope } from '../../shared/aws/due-index';
import { applied, isConditionFailure, itemOfConditionFailure } from '../../shared/aws/dynamodb';
import { BadRequestError } from '../../shared/errors';
import { APPROVAL_STATUSES, type Approval, type ApprovalStatus, nextDueAt } from '../domain/approval';
import { approvalSubjectSchema } from '../domain/approval-subject';

const keys = {
  approval: (tenantId: string, approvalId: string) => ({
    PK: `TENANT#${tenantId}#APPROVAL#${approvalId}`,
    SK: 'APPROVAL',
  }),
  byStatus: (tenantId: string, status: ApprovalStatus) => `TENANT#${tenantId}#APPROVALS#${status}`,
};

const approvalItemSchema = z.object({
  approvalId: z.string(),
  tenantId: z.string(),
  subject: approvalSubjectSchema,
  correlationId: z.string(),
  risk: z.enum(RISK_LEVELS),
  approverRole: z.string(),
  requestedBy: z.string(),
  grants: z.number().int(),
  summary: z.string(),
  note: z.string().optional(),
  // Approvals opened before findings were kept have none.
  findings: z.array(findingSchema).default([]),
  findingCount: z.number().int().default(0),
  status: z.enum(APPROVAL_STATUSES),
  taskToken: z.string(),
  createdAt: z.string(),
  slaDueAt: z.string(),
  expiresAt: z.string(),
  notifiedAt: z.string().optional(),
  remindedAt: z.string().optional(),
  decision: z
    .object({
      decidedBy: z.string().optional(),
      decidedAt: z.string(),
      justification: z.string().optional(),
    })
    .optional(),
  resumed: z.boolean(),
  resumeClaimedAt: z.string().optional(),
}) satisfies z.ZodType<Approval>;

const parseApproval = (item: Record<string, unknown>): Approval => approvalItemSchema.parse(item);

/** The index keys an approval carries in its current state: its status listing, and its next timer. */
function indexKeys(approval: Approval) {
  const table = keys.approval(approval.tenantId, approval.approvalId);
  const due = nextDueAt(approval);
  return {
    GSI1PK: keys.byStatus(approval.tenantId, approval.status),
    GSI1SK: `${approval.createdAt}#${approval.approvalId}`,
    ...(due ? dueIndexKeys('approval', new Date(due), table) : {}),
  };
}

/** Names every attribute of an item for an update that writes the item whole (its keys aside). */
function setAll(item: Record<string, unknown>) {
  const entries = Object.entries(item).filter(
    ([name, value]) => name !== 'PK' && name !== 'SK' && value !== undefined,
  );
  return {
    names: Object.fromEntries(entries.map(([name], index) => [`#a${index}`, name])),
    values: Object.fromEntries(entries.map(([, value], index) => [`:a${index}`, value])),
    set: entries.map((_, index) => `#a${index} = :a${index}`).join(', '),
  };
}

/**
 * Approvals, one item per approval, keyed by an id derived from its subject (one approval per
 * subject). Listed per tenant and status on GSI1; timers on GSI3 (due index). Every change is
 * conditioned on the state it was decided from, so two deciders, or a decider and the sweep,
 * can't both win.
 */
export class ApprovalRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(tenantId: string, approvalId: string): Promise<Approval | undefined> {
    const result = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.approval(tenantId, approvalId),
        ConsistentRead: true,
      }),
    );
    return result.Item ? parseApproval(result.Item) : undefined;
  }

  /** Creates the approval unless one exists for its subject; returns the one that is stored. */
  async create(approval: Approval): Promise<{ approval: Approval; created: boolean }> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...keys.approval(approval.tenantId, approval.approvalId),
            ...indexKeys(approval),
            ...approval,
          },
          ConditionExpression: 'attribute_not_exists(PK)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { approval, created: true };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const existing = itemOfConditionFailure(error);
      if (!existing) throw error;
      return { approval: parseApproval(existing), created: false };
    }
  }

  /**
   * Writes `next` over `current` if the stored approval is still in `current`'s state (status,
   * reminder, resumption and its claim, token): the optimistic check every transition relies on.
   * False when someone else changed it first.
   */
  async replace(current: Approval, next: Approval): Promise<boolean> {
    const item = { ...next, ...indexKeys(next) };
    const { names, values, set } = setAll(item);
    const removeDue = nextDueAt(next) === undefined ? ' REMOVE GSI3PK, GSI3SK' : '';
    const reminded = unchanged('#reminded', ':fromReminded', current.remindedAt);
    const claimed = unchanged('#claimed', ':fromClaimed', current.resumeClaimedAt);
    return applied(
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.approval(current.tenantId, current.approvalId),
          UpdateExpression: `SET ${set}${removeDue}`,
          ConditionExpression:
            'attribute_exists(PK) AND #status = :fromStatus AND #resumed = :fromResumed AND #token = :fromToken' +
            ` AND ${reminded.condition} AND ${claimed.condition}`,
          ExpressionAttributeNames: {
            ...names,
            '#status': 'status',
            '#resumed': 'resumed',
            '#token': 'taskToken',
            '#reminded': 'remindedAt',
            '#claimed': 'resumeClaimedAt',
          },
          ExpressionAttributeValues: {
            ...values,
            ':fromStatus': current.status,
            ':fromResumed': current.resumed,
            ':fromToken': current.taskToken,
            ...reminded.values,
            ...claimed.values,
          },
        }),
      ),
    );
  }

  /**
   * One page of a tenant's approvals in a status, oldest first. `nextToken` continues where the
   * page ended; `keep` filters a page, so a page may hold fewer than `limit` (even none) and still
   * have a next one.
   */
  async listByStatus(
    tenantId: string,
    status: ApprovalStatus,
    page: { limit: number; nextToken?: string },
    keep: (approval: Approval) => boolean,
  ): Promise<{ items: Approval[]; nextToken?: string }> {
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.byStatus(tenantId, status) },
        Limit: page.limit,
        ...(page.nextToken ? { ExclusiveStartKey: decodeToken(page.nextToken, tenantId, status) } : {}),
      }),
    );
    const items = (result.Items ?? []).map(parseApproval).filter(keep);
    return result.LastEvaluatedKey ? { items, nextToken: encodeToken(result.LastEvaluatedKey) } : { items };
  }

  /** Approvals with something due at or before the sweep's `now`, of every tenant or of one. */
  async listDue(scope: SweepScope): Promise<Approval[]> {
    return listDue(this.client, this.tableName, 'approval', scope, parseApproval);
  }
}

/** The condition that an optional attribute still holds `value`, or is still absent. */
function unchanged(name: string, placeholder: string, value: string | undefined) {
  return value === undefined
    ? { condition: `attribute_not_exists(${name})`, values: {} }
    : { condition: `${name} = ${placeholder}`, values: { [placeholder]: value } };
}

const startKeySchema = z.object({
  PK: z.string(),
  SK: z.string(),
  GSI1PK: z.string(),
  GSI1SK: z.string(),
});

function encodeToken(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** A token is only good for the listing that made it: another tenant's or status's is refused. */
function decodeToken(token: string, tenantId: string, status: ApprovalStatus): Record<string, string> {
  try {
    const key = startKeySchema.parse(JSON.parse(Buffer.from(token, 'base64url').toString('utf8')));
    if (key.GSI1PK === keys.byStatus(tenantId, status)) return key;
  } catch {
    // Falls through to the refusal below.
  }
  throw new BadRequestError('INVALID_NEXT_TOKEN', 'nextToken is not one this listing returned.');
}
