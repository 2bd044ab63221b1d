import type { DirectoryRepository } from '../../identity/adapters/directory-repository';
import { emailRecipients } from '../../identity/use-cases/email-recipients';
import type { Mailer } from '../../shared/aws/mailer';
import type { DomainEvent } from '../../shared/events/domain-event';
import { sendEach } from '../../shared/send-each';
import type { AssignmentRepository } from '../adapters/assignment-repository';
import type { EntitlementRepository } from '../adapters/entitlement-repository';
import {
  type AssignmentStatus,
  completionStatus,
  countOutcomes,
  failureRatio,
} from '../domain/assignment-task';
import { assignmentSummaryEmail, type EmailContent, grantedEmail } from '../domain/grant-emails';
import { permissionEvent, type RunInput, requesterActor } from './assignment-workflow';
import { missingAssignment } from './batch-assign';

export interface NotifyDeps {
  readonly assignments: Pick<AssignmentRepository, 'get' | 'listMembers' | 'transition'>;
  readonly entitlements: Pick<EntitlementRepository, 'getMany'>;
  readonly directory: Pick<DirectoryRepository, 'getUser'>;
  readonly publish: (events: readonly DomainEvent[]) => Promise<void>;
  /** Absent while `notify-transactional` is off: no email, everything else as usual. */
  readonly mailer?: Pick<Mailer, 'send'>;
  readonly recordFailureRatio: (ratio: number) => void;
  readonly clock: () => Date;
}

/**
 * Notify: after activation, `iam.permission.granted` for each grant made (ids stable per
 * entitlement, so a retry publishes nothing new to consumers), then the final status, then an
 * email to each member granted something and a summary to the requester. After a rejection, the
 * requester's summary only. After activation the final status is the claim: only the invocation
 * that set it sends the emails, so a retried Notify mails nobody twice (a crash between the two
 * loses them instead). A rejection is final before Notify runs, so a Notify retried after a crash
 * may send the requester that one summary again. Emails that fail are logged, not retried.
 */
export async function notifyAssignment(
  deps: NotifyDeps,
  input: RunInput,
): Promise<{ status: AssignmentStatus; notified: number }> {
  const task = await deps.assignments.get(input.tenantId, input.assignmentId);
  if (!task) throw missingAssignment(input.assignmentId);
  if (task.status !== 'ACTIVATING' && task.status !== 'REJECTED') return { status: task.status, notified: 0 };
  const now = deps.clock();
  const records = await deps.assignments.listMembers(task.tenantId, task.assignmentId);
  const counts = countOutcomes(records);
  const mails: { userId: string; content: EmailContent }[] = [];
  let status: AssignmentStatus = task.status;

  if (task.status === 'ACTIVATING') {
    const granted = records.flatMap((record) => {
      const { userId } = record;
      if (userId === undefined) return [];
      return record.bundles
        .filter((bundle) => bundle.outcome === 'granted')
        .map((bundle) => ({ userId, scope: task.request.scope, bundleId: bundle.bundleId }));
    });
    const entitlements = await deps.entitlements.getMany(task.tenantId, granted);
    const ours = entitlements.filter(
      (entitlement) =>
        entitlement.source.type === 'batch_assign' && entitlement.source.assignmentId === task.assignmentId,
    );
    await deps.publish(
      ours.map((entitlement) =>
        permissionEvent(
          'iam.permission.granted',
          task,
          entitlement,
          requesterActor(task),
          now,
          `evt_granted_${entitlement.entitlementId}`,
        ),
      ),
    );
    const bundlesByUser = new Map<string, string[]>();
    for (const grant of granted)
      bundlesByUser.set(grant.userId, [...(bundlesByUser.get(grant.userId) ?? []), grant.bundleId]);
    for (const [userId, bundles] of bundlesByUser) {
      mails.push({
        userId,
        content: grantedEmail({
          bundles,
          scope: task.request.scope,
          ...(task.request.validUntil === undefined ? {} : { validUntil: task.request.validUntil }),
        }),
      });
    }
    status = completionStatus(counts);
  }
  mails.push({
    userId: task.requestedBy,
    content: assignmentSummaryEmail({
      assignmentId: task.assignmentId,
      status,
      counts,
      ...(task.status === 'REJECTED'
        ? { reason: task.approvalChain.at(-1)?.justification ?? 'The approval was not granted.' }
        : {}),
    }),
  });
  if (task.status === 'ACTIVATING') {
    const finished = await deps.assignments.transition(
      task.tenantId,
      task.assignmentId,
      status,
      { counts },
      now.toISOString(),
    );
    // Another attempt set it first and sends the emails.
    if (!finished) return { status, notified: 0 };
    deps.recordFailureRatio(failureRatio(counts));
  }
  return { status, notified: await sendAll(deps, task.tenantId, mails) };
}

async function sendAll(
  deps: NotifyDeps,
  tenantId: string,
  mails: readonly { userId: string; content: EmailContent }[],
): Promise<number> {
  const { mailer } = deps;
  if (!mailer) return 0;
  const addresses = await emailRecipients(
    deps.directory,
    tenantId,
    mails.map((mail) => mail.userId),
  );
  const emails = mails.flatMap((mail) => {
    const to = addresses.get(mail.userId);
    return to === undefined ? [] : [{ to, ...mail.content }];
  });
  return sendEach(mailer, emails, 'Assignment');
}
