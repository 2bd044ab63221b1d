import { createHash } from 'node:crypto';
import pLimit from 'p-limit';
import {
  type DirectoryRepository,
  MAX_GROUPS_AT_CREATION,
} from '../../identity/adapters/directory-repository';
import type { User } from '../../identity/domain/user';
import { USER_PROFILE_FIELDS } from '../../identity/domain/user-profile';
import type { ObjectStore } from '../../shared/aws/object-store';
import { ConflictError, NotFoundError } from '../../shared/errors';
import { domainEvent } from '../../shared/events/catalog';
import type { DomainEvent } from '../../shared/events/domain-event';
import { logger } from '../../shared/observability';
import { maskEmail } from '../../shared/pii';
import { batchFileSchema } from '../adapters/import-row-codec';
import type { ImportTaskRepository } from '../adapters/import-task-repository';
import type { PendingGrantRepository } from '../adapters/pending-grant-repository';
import { batchErrorRatio } from '../domain/import-metrics';
import type { ImportRow } from '../domain/import-row';
import type { RowOutcome } from '../domain/row-outcome';

/**
 * Rows of one batch provisioned at the same time. Each row is a few small writes, mostly waiting
 * on the table; in flight together they finish a batch several times faster, and rows of a batch
 * never touch the same items (emails are unique within a validated file).
 */
const ROWS_IN_FLIGHT = 8;

export interface BatchRef {
  readonly number: number;
  readonly key: string;
}

export interface BatchInput {
  readonly batch: BatchRef;
  readonly tenantId: string;
  readonly taskId: string;
  readonly run: number;
  readonly correlationId: string;
}

export interface ProvisionBatchDeps {
  readonly directory: Pick<
    DirectoryRepository,
    'createUser' | 'findUserIdByEmail' | 'getUser' | 'addGroupMember'
  >;
  readonly pendingGrants: Pick<PendingGrantRepository, 'put'>;
  readonly tasks: Pick<ImportTaskRepository, 'getBatchOutcome' | 'putBatchOutcome'>;
  readonly reports: Pick<ObjectStore, 'readText'>;
  readonly publish: (events: readonly DomainEvent[]) => Promise<void>;
  /** A deliberate failure point for chaos tests: called after each row is provisioned. */
  readonly afterRow?: (row: number) => void;
  readonly clock: () => Date;
}

/**
 * The user id a (task, row) creates. Deterministic, so a retried batch, a redriven execution or a
 * crash halfway through finds the user it created before instead of creating a second one, and
 * can tell it apart from a user someone else created with the same email.
 */
export function importedUserId(tenantId: string, taskId: string, row: number): string {
  const digest = createHash('sha256').update(`${tenantId}\n${taskId}\n${row}`).digest();
  return `u_${base32(digest).slice(0, 26)}`;
}

/**
 * Provisions one batch: each row becomes an INVITED user with its default and non-sensitive
 * roles and its groups; sensitive roles become pending grants. A row that cannot be created (its
 * email was taken since validation) is a recorded failure, not an error; anything else (the table
 * throttling, a timeout) is thrown, so Step Functions retries the whole batch, which is safe.
 */
export async function provisionBatch(
  deps: ProvisionBatchDeps,
  input: BatchInput,
): Promise<{ created: number; errorRatio: number }> {
  const { rows } = batchFileSchema.parse(JSON.parse(await deps.reports.readText(input.batch.key)));
  const limit = pLimit(ROWS_IN_FLIGHT);
  const results = await Promise.all(
    rows.map((row) =>
      limit(async () => {
        const result = await provisionRow(deps, input, row);
        deps.afterRow?.(row.row);
        return result;
      }),
    ),
  ).catch((error: unknown) => {
    // The whole batch will be retried: starting its remaining rows now would only be wasted work.
    limit.clearQueue();
    throw error;
  });
  const outcomes = results.map((result) => result.outcome);
  const events = results.flatMap((result) => (result.event ? [result.event] : []));
  // A replayed batch (retry, redrive) keeps what notification already did, so nobody is emailed twice.
  const previous = await deps.tasks.getBatchOutcome(
    input.tenantId,
    input.taskId,
    input.run,
    input.batch.number,
  );
  const notified = new Map(
    previous?.rows.flatMap((row) => (row.notification ? [[row.row, row.notification]] : [])),
  );
  await deps.tasks.putBatchOutcome(input.tenantId, input.taskId, {
    run: input.run,
    batch: input.batch.number,
    rows: outcomes.map((outcome) => {
      const notification = outcome.status === 'CREATED' ? notified.get(outcome.row) : undefined;
      return notification ? { ...outcome, notification } : outcome;
    }),
    provisionedAt: deps.clock().toISOString(),
  });
  await deps.publish(events);
  return {
    created: outcomes.filter((outcome) => outcome.status === 'CREATED').length,
    errorRatio: batchErrorRatio(outcomes),
  };
}

async function provisionRow(
  deps: ProvisionBatchDeps,
  input: BatchInput,
  row: ImportRow,
): Promise<{ outcome: RowOutcome; event?: DomainEvent }> {
  const userId = importedUserId(input.tenantId, input.taskId, row.row);
  const now = deps.clock().toISOString();
  const candidate: User = {
    tenantId: input.tenantId,
    userId,
    email: row.email,
    ...optional(row),
    status: 'INVITED',
    roles: row.roles,
    // Joined in the creation's own transaction when few enough: one write per row, not two.
    groups: row.groups.length <= MAX_GROUPS_AT_CREATION ? row.groups : [],
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
  let user: User;
  try {
    user = await createOrResume(deps, candidate).catch((error: unknown) => {
      if (!(error instanceof NotFoundError && error.code === 'GROUP_NOT_FOUND')) throw error;
      // A group was deleted since validation: the user is created alone, and joins what still exists.
      return createOrResume(deps, { ...candidate, groups: [] });
    });
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    const code = error.code === 'EMAIL_TAKEN' ? 'ALREADY_EXISTS' : error.code;
    // The handler's keys carry task_id, run and batch: with the row, an operator finds it in the failed export.
    logger.warn('Row not provisioned', { row: row.row, error_code: code, email: maskEmail(row.email) });
    return { outcome: failed(row, code, conflictMessage(error)) };
  }
  // Created with every group in one transaction: nothing left to join. Otherwise (resumed from an
  // earlier attempt, too many groups, a group gone) each is joined on its own, which is idempotent.
  const groupsToJoin = user === candidate && candidate.groups.length === row.groups.length ? [] : row.groups;
  const vanishedGroups: string[] = [];
  for (const group of groupsToJoin) {
    try {
      await deps.directory.addGroupMember(input.tenantId, group, userId, now);
    } catch (error) {
      // Deleted since validation: the user is created all the same, and the outcome says what is missing.
      if (!(error instanceof NotFoundError && error.code === 'GROUP_NOT_FOUND')) throw error;
      vanishedGroups.push(group);
    }
  }
  for (const role of row.rolesPendingApproval) {
    await deps.pendingGrants.put({
      tenantId: input.tenantId,
      userId,
      role,
      source: { type: 'bulk_import', taskId: input.taskId, row: row.row },
      requestedAt: user.createdAt,
    });
  }
  const event = domainEvent(
    'iam.user.created',
    {
      tenantId: input.tenantId,
      correlationId: input.correlationId,
      actor: { type: 'system', component: 'bulk-import' },
      // The user's own creation time, so a replayed event is the same event (the audit dedupes on it).
      occurredAt: new Date(user.createdAt),
    },
    {
      userId,
      status: 'INVITED',
      roles: [...row.roles],
      rolesPendingApproval: [...row.rolesPendingApproval],
      source: { type: 'bulk_import', taskId: input.taskId, row: row.row },
    },
    `evt_${userId.slice(2)}`,
  );
  return {
    outcome: {
      row: row.row,
      email: row.email,
      userId,
      status: 'CREATED',
      ...(row.rolesPendingApproval.length > 0 ? { pendingApproval: true } : {}),
      ...(vanishedGroups.length > 0
        ? {
            code: 'GROUP_NOT_FOUND',
            message: `Created without groups deleted since validation: ${vanishedGroups.join(', ')}.`,
          }
        : {}),
    },
    event,
  };
}

/**
 * Creates the user, or finds the one this row created on an earlier attempt (a retried batch, a
 * redriven execution) and carries on from there. A conflict with anyone else's user is thrown.
 */
async function createOrResume(deps: ProvisionBatchDeps, candidate: User): Promise<User> {
  try {
    await deps.directory.createUser(candidate);
    return candidate;
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    const existing = await deps.directory.getUser(candidate.tenantId, candidate.userId);
    if (!existing) throw error;
    return existing;
  }
}

/** The profile fields a row has, to copy onto the user it creates. */
function optional(row: ImportRow): Partial<User> {
  return Object.fromEntries(
    USER_PROFILE_FIELDS.flatMap((field) => (row[field] === undefined ? [] : [[field, row[field]]])),
  );
}

function failed(row: ImportRow, code: string, message: string): RowOutcome {
  return { row: row.row, email: row.email, status: 'FAILED', code, message };
}

function conflictMessage(error: ConflictError): string {
  if (error.code === 'EMAIL_TAKEN')
    return 'A user with this email was created after validation (by an admin or another import).';
  if (error.code === 'EMPLOYEE_ID_TAKEN') return 'A user with this employee id was created after validation.';
  return error.message;
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

function base32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let output = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      output += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return output;
}
