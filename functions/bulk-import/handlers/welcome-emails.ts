import { randomUUID } from 'node:crypto';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { SFNClient } from '@aws-sdk/client-sfn';
import { z } from 'zod';
import { grantsOnTable } from '../../entitlements/handlers/principal-grants';
import { DirectoryRepository } from '../../identity/adapters/directory-repository';
import { principalResolver } from '../../identity/use-cases/resolve-principal';
import { createDocumentClient, createDynamoDbClient } from '../../shared/aws/dynamodb';
import { createSesClient, Mailer } from '../../shared/aws/mailer';
import { createS3Client, ObjectStore } from '../../shared/aws/object-store';
import { requestIdempotencyStore } from '../../shared/aws/request-idempotency-store';
import { WorkflowClient } from '../../shared/aws/workflow-client';
import { loadConfig } from '../../shared/config';
import { principalRoute } from '../../shared/http/api-route';
import { metrics } from '../../shared/observability';
import {
  bulkImportWorkflowConfig,
  mailConfig,
  reportsConfig,
  tableConfig,
} from '../../shared/runtime-config';
import { ActivationTokenRepository } from '../adapters/activation-token-repository';
import { ImportTaskRepository } from '../adapters/import-task-repository';
import { notificationFailureRatio } from '../domain/import-metrics';
import { importSettingsConfig } from '../runtime-config';
import { runExecutionArn } from '../use-cases/provisioning-runs';
import { replayWelcomeEmails } from '../use-cases/replay-welcome-emails';

const config = loadConfig(
  tableConfig
    .extend(reportsConfig.shape)
    .extend(mailConfig.shape)
    .extend(importSettingsConfig.shape)
    .extend(bulkImportWorkflowConfig.shape),
);
const dynamodb = createDynamoDbClient();
const documents = createDocumentClient(dynamodb);
const tasks = new ImportTaskRepository(documents, config.TABLE_NAME);
const notify = {
  tasks,
  reports: new ObjectStore(createS3Client(), config.REPORTS_BUCKET),
  tokens: new ActivationTokenRepository(documents, config.TABLE_NAME),
  mailer: new Mailer(createSesClient(), config.MAIL_FROM_ADDRESS),
  activationUrlBase: config.ACTIVATION_URL_BASE,
  activationTtlHours: config.IMPORT_ACTIVATION_TTL_HOURS,
  clock: () => new Date(),
};
const workflow = new WorkflowClient(new SFNClient({}));
const runExecution = (taskId: string, run: number) =>
  workflow.describe(runExecutionArn({ stateMachineArn: config.BULK_IMPORT_STATE_MACHINE_ARN }, taskId, run));
const resolvePrincipal = principalResolver(
  new DirectoryRepository(documents, config.TABLE_NAME),
  grantsOnTable(documents, config.TABLE_NAME),
);

const outcomeSchema = z.object({
  taskId: z.string(),
  sent: z.number().int(),
  failed: z.number().int(),
  remaining: z.number().int(),
});

/** `POST .../:taskId/welcome-emails`: 200 once nothing remains, 202 with what remains otherwise. */
export const replay = principalRoute(
  {
    resolvePrincipal,
    permission: 'users.import',
    flag: 'user-bulk-import',
    operation: 'ReplayWelcomeEmails',
    params: z.object({ taskId: z.string().regex(/^t_[0-9a-z]{26}$/, 'must be a taskId') }),
    idempotency: requestIdempotencyStore(dynamodb, config.TABLE_NAME),
    responseBody: outcomeSchema,
  },
  async ({ caller, params, flags, context }) => {
    const outcome = await replayWelcomeEmails(
      {
        tasks,
        notify,
        notificationsEnabled: flags['notify-transactional'],
        runExecution,
        timeLeftMs: () => context.getRemainingTimeInMillis(),
        newClaimId: randomUUID,
        clock: () => new Date(),
      },
      caller,
      params.taskId,
    );
    metrics.addMetric('iam_bulk_import_notified_total', MetricUnit.Count, outcome.sent);
    const failureRatio = notificationFailureRatio(outcome);
    if (failureRatio !== undefined) {
      metrics.addMetric('iam_bulk_import_notification_failure_ratio', MetricUnit.Percent, failureRatio);
    }
    return { statusCode: outcome.remaining === 0 ? 200 : 202, body: outcomeSchema.parse(outcome) };
  },
);
