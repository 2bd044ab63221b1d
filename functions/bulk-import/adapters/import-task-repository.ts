import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { applied, isConditionFailure, itemOfConditionFailure, queryAll } from '../../shared/aws/dynamodb';
import { ConflictError, NotFoundError } from '../../shared/errors';
import type { ImportPosition } from '../domain/import-listing';
import { EMPTY_COUNTS, storedTaskCountsSchema, TASK_STATUSES, type TaskStatus } from '../domain/import-task';
import { type BatchOutcome, type BatchSummary, summarizeBatch } from '../domain/row-outcome';

const uploadSchema = z.object({
  tenantId: z.string(),
  fileId: z.string(),
  taskId: z.string(),
  fileName: z.string(),
  objectKey: z.string(),
  declaredSizeBytes: z.number().optional(),
  createdBy: z.string(),
  createdAt: z.string(),
});
export type Upload = z.infer<typeof uploadSchema>;

const taskSchema = z.object({
  tenantId: z.string(),
  taskId: z.string(),
  fileId: z.string(),
  fileName: z.string(),
  objectKey: z.string(),
  status: z.enum(TASK_STATUSES),
  counts: storedTaskCountsSchema,
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Provisioning runs so far: 1 after commit, +1 per retry of failed rows. */
  run: z.number().int(),
  sendWelcome: z.boolean().optional(),
  approvalNote: z.string().optional(),
  committedBy: z.string().optional(),
  correlationId: z.string().optional(),
  failureReason: z.string().optional(),
  /** Sensitive role grants of the run that wait for its approval (AWAITING_APPROVAL). */
  grantsAwaitingApproval: z.number().int().optional(),
  /** When the current run started: a run that waited for an approval lasts until it is settled. */
  runStartedAt: z.string().optional(),
  artifacts: z
    .object({
      issues: z.string().optional(),
      validRows: z.string().optional(),
      reportCsv: z.string().optional(),
      reportXlsx: z.string().optional(),
      succeededExport: z.string().optional(),
      failedExport: z.string().optional(),
    })
    .default({}),
});
export type ImportTask = z.infer<typeof taskSchema>;
/** What a later write can take back: a failure's reason, once the run it explained is settled again. */
export type RemovableTaskField = 'failureReason';

const rowOutcomeSchema = z.object({
  row: z.number().int(),
  email: z.string(),
  userId: z.string().optional(),
  status: z.enum(['CREATED', 'FAILED']),
  code: z.string().optional(),
  message: z.string().optional(),
  pendingApproval: z.boolean().optional(),
  notification: z.enum(['SENT', 'FAILED', 'SKIPPED']).optional(),
});
const batchOutcomeSchema = z.object({
  run: z.number().int(),
  batch: z.number().int(),
  rows: z.array(rowOutcomeSchema),
  provisionedAt: z.string().optional(),
}) satisfies z.ZodType<BatchOutcome>;

const batchSummarySchema = z.object({
  created: z.number().int(),
  failed: z.number().int(),
  pendingApproval: z.number().int(),
  notified: z.number().int(),
}) satisfies z.ZodType<BatchSummary>;

/** A batch with created users whose welcome email is not SENT. */
export interface UnsentEmailBatch {
  readonly run: number;
  readonly batch: number;
  readonly unsent: number;
}

/** The batch item's attribute a welcome-email replay claims it with. */
const EMAIL_CLAIM = 'emailClaim';

const DAY_MS = 24 * 60 * 60 * 1000;

function startOfUtcDay(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
}

const keys = {
  upload: (tenantId: string, fileId: string) => ({ PK: `TENANT#${tenantId}#UPLOAD#${fileId}`, SK: 'UPLOAD' }),
  task: (tenantId: string, taskId: string) => ({ PK: `TENANT#${tenantId}#IMPORT#${taskId}`, SK: 'TASK' }),
  importsOfTenant: (tenantId: string) => `TENANT#${tenantId}#IMPORTS`,
  tasksByTenant: (tenantId: string, createdAt: string, taskId: string) => ({
    GSI1PK: keys.importsOfTenant(tenantId),
    GSI1SK: `${createdAt}#${taskId}`,
  }),
  /** Every tenant's imports by the day they were created: what the weekly summary reads. */
  importsOfDay: (isoTime: string) => `IMPORTS#${isoTime.slice(0, 10)}`,
  tasksByDay: (tenantId: string, createdAt: string, taskId: string) => ({
    GSI2PK: keys.importsOfDay(createdAt),
    GSI2SK: `${createdAt}#${tenantId}#${taskId}`,
  }),
  batch: (tenantId: string, taskId: string, run: number, batch: number) => ({
    PK: `TENANT#${tenantId}#IMPORT#${taskId}`,
    SK: `RUN#${String(run).padStart(3, '0')}#BATCH#${String(batch).padStart(6, '0')}`,
  }),
} as const;

/**
 * Import tasks, their uploads and the per-batch row outcomes, in the single table. Counts of a
 * finished run are derived from the outcomes (never incremented), so a retried or redriven batch
 * can't count a row twice.
 */
export class ImportTaskRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async putUpload(upload: Upload): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.upload(upload.tenantId, upload.fileId), ...upload },
      }),
    );
  }

  async getUpload(tenantId: string, fileId: string): Promise<Upload | undefined> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.upload(tenantId, fileId), ConsistentRead: true }),
    );
    return result.Item ? uploadSchema.parse(result.Item) : undefined;
  }

  /** Creates the task of an upload unless it exists; either way returns it (same file → same task). */
  async ensureTask(upload: Upload, now: string): Promise<ImportTask> {
    const task: ImportTask = {
      tenantId: upload.tenantId,
      taskId: upload.taskId,
      fileId: upload.fileId,
      fileName: upload.fileName,
      objectKey: upload.objectKey,
      status: 'VALIDATING',
      counts: EMPTY_COUNTS,
      createdBy: upload.createdBy,
      createdAt: now,
      updatedAt: now,
      run: 0,
      artifacts: {},
    };
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...keys.task(task.tenantId, task.taskId),
            ...keys.tasksByTenant(task.tenantId, now, task.taskId),
            ...keys.tasksByDay(task.tenantId, now, task.taskId),
            ...task,
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
      return task;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const existing = await this.getTask(upload.tenantId, upload.taskId);
      if (!existing) throw error;
      return existing;
    }
  }

  async getTask(tenantId: string, taskId: string): Promise<ImportTask | undefined> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.task(tenantId, taskId), ConsistentRead: true }),
    );
    return result.Item ? taskSchema.parse(result.Item) : undefined;
  }

  /**
   * Moves a task from one of `from` to `to`, setting `fields` and removing `remove`, in one
   * conditional write: two racing commits or validations cannot both win. Returns the task as it
   * now is.
   */
  async transition(
    tenantId: string,
    taskId: string,
    from: readonly TaskStatus[],
    to: TaskStatus,
    fields: Partial<Omit<ImportTask, 'tenantId' | 'taskId' | 'status'>>,
    now: string,
    remove: readonly RemovableTaskField[] = [],
  ): Promise<ImportTask> {
    const entries = Object.entries({ ...fields, status: to, updatedAt: now }).filter(
      ([, value]) => value !== undefined,
    );
    const removal = remove.length > 0 ? ` REMOVE ${remove.map((_, index) => `#r${index}`).join(', ')}` : '';
    try {
      const result = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.task(tenantId, taskId),
          UpdateExpression: `SET ${entries.map((_, index) => `#f${index} = :v${index}`).join(', ')}${removal}`,
          ConditionExpression: `attribute_exists(PK) AND #status IN (${from.map((_, index) => `:from${index}`).join(', ')})`,
          ExpressionAttributeNames: {
            '#status': 'status',
            ...Object.fromEntries(entries.map(([field], index) => [`#f${index}`, field])),
            ...Object.fromEntries(remove.map((field, index) => [`#r${index}`, field])),
          },
          ExpressionAttributeValues: {
            ...Object.fromEntries(entries.map(([, value], index) => [`:v${index}`, value])),
            ...Object.fromEntries(from.map((status, index) => [`:from${index}`, status])),
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return taskSchema.parse(result.Attributes);
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const current = itemOfConditionFailure(error);
      if (!current) throw new NotFoundError('TASK_NOT_FOUND', 'No such import task in this tenant.');
      const status = taskSchema.shape.status.parse(current.status);
      throw new ConflictError(
        'TASK_STATE_CONFLICT',
        `The task is ${status}; this needs it to be ${from.join(' or ')}.`,
      );
    }
  }

  /**
   * The tasks created from `from` (inclusive) to `to` (exclusive), of one tenant (its own GSI1
   * partition) or of every tenant (GSI2, a partition per UTC day of creation, so no tenant list is
   * needed and only the window's days are read). Eventually consistent: a report, not a decision.
   */
  async listTasksCreatedBetween(from: Date, to: Date, tenantId?: string): Promise<ImportTask[]> {
    const between = { ':from': from.toISOString(), ':to': to.toISOString() };
    const parse = (item: Record<string, unknown>) => taskSchema.parse(item);
    if (tenantId !== undefined) {
      return queryAll(
        this.client,
        {
          TableName: this.tableName,
          IndexName: 'GSI1',
          // A key is its creation time and more: one created exactly at `to` sorts after `:to`, left out.
          KeyConditionExpression: 'GSI1PK = :pk AND GSI1SK BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': keys.importsOfTenant(tenantId), ...between },
        },
        parse,
      );
    }
    const tasks: ImportTask[] = [];
    for (let day = startOfUtcDay(from); day < to; day = new Date(day.getTime() + DAY_MS)) {
      tasks.push(
        ...(await queryAll(
          this.client,
          {
            TableName: this.tableName,
            IndexName: 'GSI2',
            KeyConditionExpression: 'GSI2PK = :day AND GSI2SK BETWEEN :from AND :to',
            ExpressionAttributeValues: { ':day': keys.importsOfDay(day.toISOString()), ...between },
          },
          parse,
        )),
      );
    }
    return tasks;
  }

  /**
   * Up to `limit` of a tenant's tasks created before `after`, newest first, from the tenant's own
   * GSI1 partition (no other tenant's items are read); `more` when the listing may go on.
   */
  async pageOfTasks(
    tenantId: string,
    after: ImportPosition | undefined,
    limit: number,
  ): Promise<{ tasks: ImportTask[]; more: boolean }> {
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.importsOfTenant(tenantId) },
        ScanIndexForward: false,
        // One more than asked says whether another page exists: a listing that ends on a full page
        // hands out no token that leads to an empty one.
        Limit: limit + 1,
        // Rebuilt from the caller's tenant, so a position can never reach into another tenant.
        ...(after
          ? {
              ExclusiveStartKey: {
                ...keys.task(tenantId, after.taskId),
                ...keys.tasksByTenant(tenantId, after.createdAt, after.taskId),
              },
            }
          : {}),
      }),
    );
    const read = (result.Items ?? []).map((item) => taskSchema.parse(item));
    const tasks = read.slice(0, limit);
    return {
      tasks,
      more: read.length > limit || (result.LastEvaluatedKey !== undefined && tasks.length > 0),
    };
  }

  /** Records the outcome of one batch of one run; writing it again (a retried batch) replaces it. */
  async putBatchOutcome(tenantId: string, taskId: string, outcome: BatchOutcome): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...keys.batch(tenantId, taskId, outcome.run, outcome.batch),
          ...outcome,
          summary: summarizeBatch(outcome),
        },
      }),
    );
  }

  /**
   * The small per-batch summaries of one run, without the rows: what progress needs, at a
   * fraction of the read (a 100,000-row run has 1,000 batches of ~25 KB each).
   */
  async listBatchSummaries(tenantId: string, taskId: string, run: number): Promise<BatchSummary[]> {
    return queryAll(
      this.client,
      {
        TableName: this.tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :run)',
        ExpressionAttributeValues: {
          ':pk': keys.task(tenantId, taskId).PK,
          ':run': `RUN#${String(run).padStart(3, '0')}#`,
        },
        ProjectionExpression: 'summary',
      },
      (item) => z.object({ summary: batchSummarySchema }).parse(item).summary,
    );
  }

  /**
   * The batches, of every run, with created users whose welcome email is not SENT, and how many
   * each has: read from the summaries, not the rows.
   */
  async listBatchesWithUnsentEmails(tenantId: string, taskId: string): Promise<UnsentEmailBatch[]> {
    const batches = await queryAll(
      this.client,
      {
        TableName: this.tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :run)',
        ExpressionAttributeValues: { ':pk': keys.task(tenantId, taskId).PK, ':run': 'RUN#' },
        ExpressionAttributeNames: { '#run': 'run', '#batch': 'batch' },
        ProjectionExpression: '#run, #batch, summary',
        ConsistentRead: true,
      },
      (item) => {
        const { run, batch, summary } = z
          .object({ run: z.number().int(), batch: z.number().int(), summary: batchSummarySchema })
          .parse(item);
        return { run, batch, unsent: summary.created - summary.notified };
      },
    );
    return batches.filter((batch) => batch.unsent > 0);
  }

  /**
   * Claims a batch's welcome emails for one sender until `claim.until`, unless someone else holds
   * an unexpired claim: of two replays racing for a batch, one sends. The claim ends with the
   * batch's next outcome write (which replaces the item) or `releaseEmailClaim`.
   */
  async claimEmails(
    tenantId: string,
    taskId: string,
    ref: { run: number; batch: number },
    claim: { id: string; until: string },
    now: string,
  ): Promise<boolean> {
    return applied(
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.batch(tenantId, taskId, ref.run, ref.batch),
          UpdateExpression: 'SET #claim = :claim',
          ConditionExpression:
            'attribute_exists(PK) AND (attribute_not_exists(#claim) OR #claim.#until < :now)',
          ExpressionAttributeNames: { '#claim': EMAIL_CLAIM, '#until': 'until' },
          ExpressionAttributeValues: { ':claim': claim, ':now': now },
        }),
      ),
    );
  }

  /** Gives up a claim of `claimEmails` still held under `claimId` (a sender that failed part-way). */
  async releaseEmailClaim(
    tenantId: string,
    taskId: string,
    ref: { run: number; batch: number },
    claimId: string,
  ): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.batch(tenantId, taskId, ref.run, ref.batch),
          UpdateExpression: 'REMOVE #claim',
          ConditionExpression: '#claim.#id = :id',
          ExpressionAttributeNames: { '#claim': EMAIL_CLAIM, '#id': 'id' },
          ExpressionAttributeValues: { ':id': claimId },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  /** Adds welcome emails sent after the run ended (a replay) to the task's `notified` count. */
  async addNotified(tenantId: string, taskId: string, sent: number): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.task(tenantId, taskId),
        UpdateExpression: 'SET #counts.#notified = #counts.#notified + :sent',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeNames: { '#counts': 'counts', '#notified': 'notified' },
        ExpressionAttributeValues: { ':sent': sent },
      }),
    );
  }

  async getBatchOutcome(
    tenantId: string,
    taskId: string,
    run: number,
    batch: number,
  ): Promise<BatchOutcome | undefined> {
    const result = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.batch(tenantId, taskId, run, batch),
        ConsistentRead: true,
      }),
    );
    return result.Item ? batchOutcomeSchema.parse(result.Item) : undefined;
  }

  /** Every batch outcome of every run of a task, oldest run first. */
  async listBatchOutcomes(tenantId: string, taskId: string): Promise<BatchOutcome[]> {
    return queryAll(
      this.client,
      {
        TableName: this.tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :run)',
        ExpressionAttributeValues: { ':pk': keys.task(tenantId, taskId).PK, ':run': 'RUN#' },
        ConsistentRead: true,
      },
      (item) => batchOutcomeSchema.parse(item),
    );
  }
}
