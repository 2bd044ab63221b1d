import pLimit from 'p-limit';
import type { Mailer } from '../../shared/aws/mailer';
import type { ObjectStore } from '../../shared/aws/object-store';
import { logger } from '../../shared/observability';
import type { ActivationTokenRepository } from '../adapters/activation-token-repository';
import { batchFileSchema } from '../adapters/import-row-codec';
import type { ImportTaskRepository } from '../adapters/import-task-repository';
import { type NotificationDelivery, notificationDelivery } from '../domain/import-metrics';
import type { RowOutcome } from '../domain/row-outcome';
import { welcomeEmail } from '../domain/welcome-email';
import type { BatchInput } from './provision-batch';

/** Welcome emails of one batch sent at the same time: enough to keep SES busy, within its send rate. */
const EMAILS_IN_FLIGHT = 8;

export interface NotifyBatchDeps {
  readonly tasks: Pick<ImportTaskRepository, 'getBatchOutcome' | 'putBatchOutcome'>;
  readonly reports: Pick<ObjectStore, 'readText'>;
  readonly tokens: Pick<ActivationTokenRepository, 'issueAll'>;
  readonly mailer: Pick<Mailer, 'send'>;
  readonly activationUrlBase: string;
  readonly activationTtlHours: number;
  readonly clock: () => Date;
}

/**
 * Sends the welcome email of each user the batch created, once: a row already SENT is skipped
 * when the step is retried. A failed send is recorded on the row and never undoes the account;
 * the failed-rows export and the summary say who to reach another way.
 */
export async function notifyBatch(
  deps: NotifyBatchDeps,
  input: BatchInput & { readonly sendWelcome: boolean; readonly notificationsEnabled: boolean },
): Promise<{ notified: number; delivery: NotificationDelivery }> {
  const outcome = await deps.tasks.getBatchOutcome(
    input.tenantId,
    input.taskId,
    input.run,
    input.batch.number,
  );
  if (!outcome) throw new Error(`Batch ${input.batch.number} of run ${input.run} has no outcome to notify`);
  const wanted = input.sendWelcome && input.notificationsEnabled;
  const { rows } = batchFileSchema.parse(JSON.parse(await deps.reports.readText(input.batch.key)));
  const rowByNumber = new Map(rows.map((row) => [row.row, row]));
  const toSend = outcome.rows.filter(
    (result) => result.status === 'CREATED' && result.notification !== 'SENT',
  );
  const tokens = wanted ? await issueTokens(deps, input.tenantId, toSend) : new Map<string, string>();
  const limit = pLimit(EMAILS_IN_FLIGHT);
  const updated: RowOutcome[] = await Promise.all(
    outcome.rows.map((result) =>
      limit(async (): Promise<RowOutcome> => {
        if (result.status !== 'CREATED' || result.notification === 'SENT' || !result.userId) return result;
        if (!wanted) return { ...result, notification: 'SKIPPED' };
        const row = rowByNumber.get(result.row);
        try {
          const token = tokens.get(result.userId);
          if (token === undefined) throw new Error('No activation token was issued for this user');
          const activationUrl = `${deps.activationUrlBase}?token=${encodeURIComponent(token)}&tenant=${encodeURIComponent(input.tenantId)}`;
          const name =
            row?.displayName ?? ([row?.givenName, row?.familyName].filter(Boolean).join(' ') || result.email);
          await deps.mailer.send({
            to: result.email,
            ...welcomeEmail({
              name,
              activationUrl,
              expiresInHours: deps.activationTtlHours,
              ...(row?.locale ? { locale: row.locale } : {}),
            }),
          });
          return { ...result, notification: 'SENT' };
        } catch (error) {
          logger.warn('Welcome email failed', {
            row: result.row,
            error: error instanceof Error ? error.message : String(error),
          });
          return { ...result, notification: 'FAILED' };
        }
      }),
    ),
  );
  const notified = updated.filter((result) => result.notification === 'SENT').length;
  await deps.tasks.putBatchOutcome(input.tenantId, input.taskId, { ...outcome, rows: updated });
  return {
    notified,
    delivery: notificationDelivery(outcome.rows, updated, outcome.provisionedAt, deps.clock()),
  };
}

/**
 * The activation tokens of the rows to email. Failing to store them fails those rows' emails (each
 * is recorded FAILED, as a send failure is), never the batch: the accounts exist either way.
 */
async function issueTokens(
  deps: NotifyBatchDeps,
  tenantId: string,
  rows: readonly RowOutcome[],
): Promise<Map<string, string>> {
  try {
    return await deps.tokens.issueAll(
      tenantId,
      rows.flatMap((result) => (result.userId ? [result.userId] : [])),
      deps.clock(),
      deps.activationTtlHours,
    );
  } catch (error) {
    logger.warn('Activation tokens could not be stored; these welcome emails fail', {
      rows: rows.length,
      error: error instanceof Error ? error.message : String(error),
    });
    return new Map();
  }
}
