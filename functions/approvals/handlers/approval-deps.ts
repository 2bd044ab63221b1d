import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import { ImportTaskRepository } from '../../bulk-import/adapters/import-task-repository';
import { describeImportSubject } from '../../bulk-import/use-cases/import-approval-subject';
import { AssignmentRepository } from '../../entitlements/adapters/assignment-repository';
import { describeAssignmentSubject } from '../../entitlements/use-cases/assignment-approval-subject';
import { DirectoryRepository } from '../../identity/adapters/directory-repository';
import { createDocumentClient } from '../../shared/aws/dynamodb';
import { EventPublisher } from '../../shared/aws/event-publisher';
import { createSesClient, Mailer } from '../../shared/aws/mailer';
import { WorkflowCallback } from '../../shared/aws/workflow-callback';
import { loadConfig } from '../../shared/config';
import type { DomainEvent } from '../../shared/events/domain-event';
import { readFlags } from '../../shared/flags';
import { metrics } from '../../shared/observability';
import { eventBusConfig, mailConfig, tableConfig } from '../../shared/runtime-config';
import { ApprovalRepository } from '../adapters/approval-repository';
import type { ApprovalSubject, DescribeSubject } from '../domain/approval-subject';
import { approvalSettingsConfig } from '../runtime-config';
import type { ApprovalDeps } from '../use-cases/approval-effects';

/**
 * What the approvals' write paths (the workflow task, the HTTP routes, the sweep) run on, built
 * once per container. Each kind of subject is described by the capability that owns it.
 */
export const config = loadConfig(
  tableConfig.extend(eventBusConfig.shape).extend(mailConfig.shape).extend(approvalSettingsConfig.shape),
);
export const documents = createDocumentClient();
export const directory = new DirectoryRepository(documents, config.TABLE_NAME);
const publisher = new EventPublisher(new EventBridgeClient({}), config.EVENT_BUS_NAME);

const describers: Readonly<Record<ApprovalSubject['type'], DescribeSubject>> = {
  bulk_import: describeImportSubject({ tasks: new ImportTaskRepository(documents, config.TABLE_NAME) }),
  batch_assign: describeAssignmentSubject({
    assignments: new AssignmentRepository(documents, config.TABLE_NAME),
  }),
};

const mailer = new Mailer(createSesClient(), config.MAIL_FROM_ADDRESS);

const alwaysOn: ApprovalDeps = {
  approvals: new ApprovalRepository(documents, config.TABLE_NAME),
  describeSubject: (tenantId, subject) => describers[subject.type](tenantId, subject),
  callback: new WorkflowCallback(new SFNClient({})),
  publish: (events: readonly DomainEvent[]) => publisher.publish(events),
  roleHolders: async (tenantId, role) =>
    (await directory.listAllUsers(tenantId)).filter(
      (user) => user.status === 'ACTIVE' && user.roles.includes(role),
    ),
  timers: { slaMinutes: config.APPROVAL_SLA_MINUTES, maxWaitHours: config.APPROVAL_MAX_WAIT_HOURS },
  recordDecisionDuration: (approval, seconds) => {
    if (approval.subject.type === 'batch_assign') {
      metrics.addMetric('iam.batch_assign.approval_duration', MetricUnit.Seconds, seconds);
    }
  },
  recordOverdueWait: (_approval, seconds) =>
    metrics.addMetric('iam.approval.overdue_wait_seconds', MetricUnit.Seconds, seconds),
  clock: () => new Date(),
};

/** The deps of one invocation: approval emails go out only while `notify-transactional` is on. */
export function approvalDeps(): ApprovalDeps {
  return { ...alwaysOn, ...(readFlags()['notify-transactional'] ? { mailer } : {}) };
}
