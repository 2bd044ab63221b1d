import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { queryAll } from './dynamodb';

/**
 * Timers kept in the table itself: an item with something due at a time (an approval's SLA or
 * maximum wait, an entitlement's next reminder or its end) carries GSI3 keys naming that time, and
 * a scheduled sweep reads what is due. Handling an item removes its keys or moves them to its next
 * due time, in the same conditional write that records what was done, so a sweep that runs twice
 * does nothing twice.
 *
 * Why a sweep and not one EventBridge Scheduler schedule per timer: the table stays the only record
 * of what is due (a schedule would be a second one, to create, move and delete with every renewal,
 * revocation or early decision, and to reconcile when the two disagree); a million grants would need
 * up to three million schedules against Scheduler's default quota of one million per account and
 * region; and the same sweep runs locally with its clock given, so tests need no waiting. The price
 * is precision: a timer fires up to one sweep interval late, minutes against reminders counted in
 * hours and days.
 *
 * Partitions are per kind and per UTC day of the due time, so that no partition holds every timer
 * and a sweep reads only the days that can hold something due.
 */
export type DueKind = 'approval' | 'entitlement';

export interface DueIndexKeys {
  readonly GSI3PK: string;
  readonly GSI3SK: string;
}

/** The GSI3 keys of an item (by its table keys) due at `dueAt`. */
export function dueIndexKeys(
  kind: DueKind,
  dueAt: Date,
  item: { readonly PK: string; readonly SK: string },
): DueIndexKeys {
  const iso = dueAt.toISOString();
  return { GSI3PK: `DUE#${kind}#${iso.slice(0, 10)}`, GSI3SK: `${iso}#${item.PK}#${item.SK}` };
}

/** A sweep reads this many days before today too: timers missed while no sweep ran are still found. */
export const DUE_LOOKBACK_DAYS = 7;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * What one sweep run covers: everything due at or before `now`, of every tenant, or of one when
 * `tenantId` is set (an operator re-running a sweep for a tenant; the local stack's tests, whose
 * fake clock must not reach other tests' tenants).
 */
export interface SweepScope {
  readonly now: Date;
  readonly tenantId?: string;
}

/**
 * Every item of a kind due at or before `now` (GSI3, eventually consistent: an item may already be
 * handled, so handlers check its state again in their conditional write), oldest first.
 */
export async function listDue<T>(
  client: DynamoDBDocumentClient,
  tableName: string,
  kind: DueKind,
  scope: SweepScope,
  parse: (item: Record<string, unknown>) => T,
  lookbackDays = DUE_LOOKBACK_DAYS,
): Promise<T[]> {
  const { now, tenantId } = scope;
  const due: T[] = [];
  // '~' sorts after '#': everything due up to `now` inclusive.
  const upTo = `${now.toISOString()}~`;
  for (let daysAgo = lookbackDays; daysAgo >= 0; daysAgo -= 1) {
    const day = new Date(now.getTime() - daysAgo * DAY_MS).toISOString().slice(0, 10);
    due.push(
      ...(await queryAll(
        client,
        {
          TableName: tableName,
          IndexName: 'GSI3',
          KeyConditionExpression: 'GSI3PK = :day AND GSI3SK <= :upTo',
          ...(tenantId === undefined
            ? { ExpressionAttributeValues: { ':day': `DUE#${kind}#${day}`, ':upTo': upTo } }
            : {
                FilterExpression: 'tenantId = :tenant',
                ExpressionAttributeValues: {
                  ':day': `DUE#${kind}#${day}`,
                  ':upTo': upTo,
                  ':tenant': tenantId,
                },
              }),
        },
        parse,
      )),
    );
  }
  return due;
}
