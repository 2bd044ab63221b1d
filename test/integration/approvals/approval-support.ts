import { expect } from 'vitest';
import { z } from 'zod';
import { BASE, csvOf, taskOf, upload, waitForStatus } from '../bulk-import/import-support';
import { call, type Principal } from '../support/api';

export const APPROVALS = '/internal/approvals';

export const approvalSchema = z.strictObject({
  approvalId: z.string(),
  tenantId: z.string(),
  subject: z.object({
    type: z.string(),
    taskId: z.string().optional(),
    run: z.number().optional(),
    assignmentId: z.string().optional(),
  }),
  risk: z.string(),
  approverRole: z.string(),
  requestedBy: z.string(),
  grants: z.number(),
  summary: z.string(),
  note: z.string().optional(),
  findings: z.array(z.object({ code: z.string(), severity: z.string(), message: z.string() })),
  findingCount: z.number(),
  status: z.string(),
  createdAt: z.string(),
  slaDueAt: z.string(),
  expiresAt: z.string(),
  remindedAt: z.string().optional(),
  decision: z
    .object({ decidedBy: z.string().optional(), decidedAt: z.string(), justification: z.string().optional() })
    .optional(),
});
export type ApprovalView = z.infer<typeof approvalSchema>;

const listSchema = z.object({ items: z.array(approvalSchema), nextToken: z.string().optional() });

/** Every approval in `status` the caller may decide, all pages. */
export async function listApprovals(caller: Principal, status = 'PENDING'): Promise<ApprovalView[]> {
  const items: ApprovalView[] = [];
  let nextToken: string | undefined;
  do {
    const query = new URLSearchParams({ status, ...(nextToken ? { nextToken } : {}) });
    const response = await call('GET', `${APPROVALS}?${query}`, { token: caller.token });
    expect(response.status, response.text).toBe(200);
    const page = listSchema.parse(response.body);
    items.push(...page.items);
    nextToken = page.nextToken;
  } while (nextToken);
  return items;
}

export function decide(caller: Principal, approvalId: string, body: Record<string, unknown>) {
  return call('POST', `${APPROVALS}/${approvalId}/decision`, { token: caller.token, body });
}

/**
 * Commits an import whose first row asks for the sensitive role tenant_admin (and operator) and
 * whose second asks for nothing, and waits until it waits for the approval.
 */
export async function importAwaitingApproval(
  committer: Principal,
  tenantId: string,
  approvalNote?: string,
): Promise<string> {
  const csv = csvOf(
    ['email', 'roles'],
    [
      [`boss@${tenantId}.test`, 'tenant_admin;operator'],
      [`plain@${tenantId}.test`, ''],
    ],
  );
  const taskId = await taskOf(committer, await upload(committer, 'roles.csv', csv));
  await waitForStatus(committer, taskId, ['VALIDATED', 'VALIDATION_FAILED']);
  const committed = await call('POST', `${BASE}/commit`, {
    token: committer.token,
    body: { taskId, sendWelcome: false, ...(approvalNote ? { approvalNote } : {}) },
  });
  expect(committed.status, committed.text).toBe(202);
  const waiting = await waitForStatus(committer, taskId, ['AWAITING_APPROVAL', 'COMPLETED', 'FAILED']);
  expect(waiting.status).toBe('AWAITING_APPROVAL');
  return taskId;
}

/** The approval of an import's run, as an approver lists it (it opens just after the task waits). */
export function approvalOfImport(approver: Principal, taskId: string, run = 1): Promise<ApprovalView> {
  return pendingApproval(
    approver,
    (subject) => subject.taskId === taskId && subject.run === run,
    `${taskId} run ${run}`,
  );
}

/** The approval of a batch assignment, as an approver lists it. */
export function approvalOfAssignment(approver: Principal, assignmentId: string): Promise<ApprovalView> {
  return pendingApproval(approver, (subject) => subject.assignmentId === assignmentId, assignmentId);
}

async function pendingApproval(
  approver: Principal,
  isSubject: (subject: ApprovalView['subject']) => boolean,
  label: string,
): Promise<ApprovalView> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const found = (await listApprovals(approver)).find((approval) => isSubject(approval.subject));
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no pending approval for ${label}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** A scheduled event's time has whole seconds: the sweep's clock is the next one. */
export const wholeSecondAfter = (time: number) => new Date(Math.ceil(time / 1000) * 1000);

/** Runs the approval sweep for one tenant as if the clock read `at`: other files' tenants keep their time. */
export async function runApprovalSweep(
  tenantId: string,
  at: Date,
): Promise<{ reminded: number; expired: number }> {
  const response = await call('POST', '/_local/schedules/ApprovalSweep/run', {
    body: { at: at.toISOString(), tenantId },
  });
  expect(response.status, response.text).toBe(200);
  return z.object({ result: z.object({ reminded: z.number(), expired: z.number() }) }).parse(response.body)
    .result;
}

const localEventSchema = z.object({
  'detail-type': z.string(),
  detail: z.object({ eventId: z.string(), tenantId: z.string(), data: z.record(z.string(), z.unknown()) }),
});

/** The events of one tenant on the local bus, of one type. */
export async function eventsOf(tenantId: string, type: string) {
  const events = z.array(localEventSchema).parse((await call('GET', '/_local/events')).body);
  return events.filter((event) => event['detail-type'] === type && event.detail.tenantId === tenantId);
}

const emailSchema = z.array(z.object({ to: z.unknown(), subject: z.string(), text: z.string() }));

/** The emails sent to one address. */
export async function emailsTo(address: string) {
  const emails = emailSchema.parse((await call('GET', '/_local/emails')).body);
  return emails.filter((email) => JSON.stringify(email.to).includes(address));
}
