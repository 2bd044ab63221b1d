import {
  type DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { approvalStepSchema } from '../../approvals/domain/approval-step';
import { isConditionFailure, putAll, queryAll, retryTransactionConflicts } from '../../shared/aws/dynamodb';
import {
  ASSIGNMENT_STATUSES,
  type AssignmentStatus,
  type AssignmentTask,
  batchAssignRequestSchema,
  GRANT_OUTCOMES,
  type MemberRecord,
  statusesBefore,
} from '../domain/assignment-task';
import { assignmentCountsSchema, findingSchema } from '../domain/assignment-view';
import { RISK_LEVELS } from '../domain/bundle';

const keys = {
  task: (tenantId: string, assignmentId: string) => ({
    PK: `TENANT#${tenantId}#ASSIGNMENT#${assignmentId}`,
    SK: 'TASK',
  }),
  member: (tenantId: string, assignmentId: string, index: number) => ({
    PK: `TENANT#${tenantId}#ASSIGNMENT#${assignmentId}`,
    SK: `MEMBER#${String(index).padStart(6, '0')}`,
  }),
  idempotencyKey: (tenantId: string, key: string) => ({
    PK: `TENANT#${tenantId}#ASSIGNMENT_KEY#${key}`,
    SK: 'KEY',
  }),
};

const taskSchema = z.object({
  tenantId: z.string(),
  assignmentId: z.string(),
  status: z.enum(ASSIGNMENT_STATUSES),
  request: batchAssignRequestSchema,
  requestedBy: z.string(),
  correlationId: z.string(),
  acceptedAt: z.string(),
  risk: z.enum(RISK_LEVELS).optional(),
  approverRole: z.enum(['security_approver', 'tenant_admin']).optional(),
  requiresApproval: z.boolean().optional(),
  findings: z.array(findingSchema),
  approvalChain: z.array(approvalStepSchema),
  counts: assignmentCountsSchema,
  failureReason: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
}) satisfies z.ZodType<AssignmentTask>;

const memberSchema = z.object({
  index: z.number().int(),
  member: z.string(),
  userId: z.string().optional(),
  bundles: z.array(
    z.object({
      bundleId: z.string(),
      outcome: z.enum(GRANT_OUTCOMES),
      reason: z.string().optional(),
      entitlementId: z.string().optional(),
    }),
  ),
}) satisfies z.ZodType<MemberRecord>;

const idempotencySchema = z.object({ assignmentId: z.string(), fingerprint: z.string() });

/** What a POST carrying an `Idempotency-Key` leaves behind: the assignment it created, and for which request. */
export interface IdempotencyRecord {
  readonly key: string;
  /** A digest of the request, so the same key sent with another request is told apart. */
  readonly fingerprint: string;
}

/**
 * Batch assignments: the task item, and one item per member reference with its outcome per bundle
 * (1,000 members of 20 bundles would not fit one 400 KB item), under the assignment's partition.
 */
export class AssignmentRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Stores a new task, and with it its idempotency key in one transaction: a key names one
   * assignment or none. Returns the assignment already made under the key instead, if any.
   */
  async create(
    task: AssignmentTask,
    idempotency?: IdempotencyRecord,
  ): Promise<{ created: true } | { created: false; assignmentId: string; fingerprint: string }> {
    const taskPut = {
      Put: {
        TableName: this.tableName,
        Item: { ...keys.task(task.tenantId, task.assignmentId), ...task },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    };
    const keyPut = idempotency && {
      Put: {
        TableName: this.tableName,
        Item: {
          ...keys.idempotencyKey(task.tenantId, idempotency.key),
          assignmentId: task.assignmentId,
          fingerprint: idempotency.fingerprint,
          createdAt: task.createdAt,
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    };
    try {
      await retryTransactionConflicts(() =>
        this.client.send(new TransactWriteCommand({ TransactItems: keyPut ? [taskPut, keyPut] : [taskPut] })),
      );
      return { created: true };
    } catch (error) {
      if (!idempotency || !isConditionFailure(error)) throw error;
      const existing = await this.findByIdempotencyKey(task.tenantId, idempotency.key);
      if (!existing) throw error;
      return { created: false, ...existing };
    }
  }

  async findByIdempotencyKey(
    tenantId: string,
    key: string,
  ): Promise<{ assignmentId: string; fingerprint: string } | undefined> {
    const result = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.idempotencyKey(tenantId, key),
        ConsistentRead: true,
      }),
    );
    return result.Item ? idempotencySchema.parse(result.Item) : undefined;
  }

  async get(tenantId: string, assignmentId: string): Promise<AssignmentTask | undefined> {
    const result = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.task(tenantId, assignmentId),
        ConsistentRead: true,
      }),
    );
    return result.Item ? taskSchema.parse(result.Item) : undefined;
  }

  /**
   * Moves the task to `to` from any status allowed to precede it, setting `fields`, in one
   * conditional write. `undefined` when the task was not in such a status (a retried step).
   */
  async transition(
    tenantId: string,
    assignmentId: string,
    to: AssignmentStatus,
    fields: Partial<Omit<AssignmentTask, 'tenantId' | 'assignmentId' | 'status'>>,
    now: string,
  ): Promise<AssignmentTask | undefined> {
    return this.update(tenantId, assignmentId, statusesBefore(to), { ...fields, status: to }, now);
  }

  /** Sets `fields` while the task is in one of `statuses`; `undefined` when it is not. */
  async update(
    tenantId: string,
    assignmentId: string,
    statuses: readonly AssignmentStatus[],
    fields: Partial<Omit<AssignmentTask, 'tenantId' | 'assignmentId'>>,
    now: string,
  ): Promise<AssignmentTask | undefined> {
    const entries = Object.entries({ ...fields, updatedAt: now }).filter(([, value]) => value !== undefined);
    try {
      const result = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.task(tenantId, assignmentId),
          UpdateExpression: `SET ${entries.map((_, index) => `#f${index} = :v${index}`).join(', ')}`,
          ConditionExpression: `attribute_exists(PK) AND #status IN (${statuses.map((_, index) => `:s${index}`).join(', ')})`,
          ExpressionAttributeNames: {
            '#status': 'status',
            ...Object.fromEntries(entries.map(([field], index) => [`#f${index}`, field])),
          },
          ExpressionAttributeValues: {
            ...Object.fromEntries(entries.map(([, value], index) => [`:v${index}`, value])),
            ...Object.fromEntries(statuses.map((status, index) => [`:s${index}`, status])),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return taskSchema.parse(result.Attributes);
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  /** Writes member records (replacing those of the same index): each step rewrites whole records. */
  async putMembers(tenantId: string, assignmentId: string, records: readonly MemberRecord[]): Promise<void> {
    await putAll(
      this.client,
      this.tableName,
      records.map((record) => ({ ...keys.member(tenantId, assignmentId, record.index), ...record })),
    );
  }

  async listMembers(tenantId: string, assignmentId: string): Promise<MemberRecord[]> {
    const { PK } = keys.task(tenantId, assignmentId);
    return queryAll(
      this.client,
      {
        TableName: this.tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :member)',
        ExpressionAttributeValues: { ':pk': PK, ':member': 'MEMBER#' },
      },
      (item) => memberSchema.parse(item),
    );
  }
}
