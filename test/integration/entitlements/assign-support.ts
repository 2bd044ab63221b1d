import { expect } from 'vitest';
import { z } from 'zod';
import { call, principal, uniqueTenant } from '../support/api';

export const ASSIGN = '/internal/iam/roles/batch-assign';

export const assignmentSchema = z.object({
  assignmentId: z.string(),
  status: z.string(),
  risk: z.string().optional(),
  requiresApproval: z.boolean().optional(),
  approverRole: z.string().optional(),
  counts: z.object({
    members: z.number(),
    grants: z.number(),
    planned: z.number(),
    granted: z.number(),
    merged: z.number(),
    failed: z.number(),
    rejected: z.number(),
  }),
  members: z.array(
    z.object({
      member: z.string(),
      userId: z.string().optional(),
      outcome: z.string(),
      bundles: z.array(
        z.object({
          bundleId: z.string(),
          outcome: z.string(),
          reason: z.string().optional(),
          entitlementId: z.string().optional(),
        }),
      ),
    }),
  ),
  approvalChain: z.array(
    z.object({
      approvalId: z.string(),
      decision: z.string(),
      decidedBy: z.string().optional(),
      justification: z.string().optional(),
    }),
  ),
  findings: z.array(z.object({ code: z.string() })),
});
export type AssignmentView = z.infer<typeof assignmentSchema>;

export const eventSchema = z.array(
  z.object({
    'detail-type': z.string(),
    detail: z.object({ eventId: z.string(), tenantId: z.string(), data: z.record(z.string(), z.unknown()) }),
  }),
);
export const emailSchema = z.array(z.object({ to: z.unknown(), subject: z.string(), text: z.string() }));

/** A tenant with an admin (who requests), bundles of each risk, and `bundle-admin`, whose permission RBAC shows. */
export async function tenantWithBundles(label: string) {
  const tenantId = uniqueTenant(label);
  const email = (name: string) => `${name}@${tenantId}.test`;
  const admin = await principal(tenantId, email('admin'), ['tenant_admin', 'security_approver']);
  const bundles = [
    { bundleId: 'viewer', name: 'Viewer', roles: ['member'], risk: 'low' },
    { bundleId: 'payments-create', name: 'Create payments', roles: ['operator'], risk: 'medium' },
    {
      bundleId: 'bundle-admin',
      name: 'Bundle admin',
      permissions: ['bundles.manage', 'roles.assign'],
      risk: 'medium',
    },
    {
      bundleId: 'bundle-admin-high',
      name: 'Bundle admin (high)',
      permissions: ['bundles.manage', 'roles.assign'],
      risk: 'high',
      maxDurationDays: 30,
      incompatibleWith: ['payments-create'],
    },
  ];
  for (const bundle of bundles) {
    const created = await call('POST', '/internal/iam/bundles', { token: admin.token, body: bundle });
    expect(created.status, created.text).toBe(201);
  }
  return { tenantId, admin, email };
}

/** Reads the assignment until it reaches one of `statuses` (the workflow runs in the background). */
export async function waitForStatus(
  token: string,
  assignmentId: string,
  statuses: readonly string[],
): Promise<AssignmentView> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const response = await call('GET', `${ASSIGN}/${assignmentId}`, { token });
    expect(response.status, response.text).toBe(200);
    const view = assignmentSchema.parse(response.body);
    if (statuses.includes(view.status)) return view;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`assignment ${assignmentId} never reached ${statuses.join('|')}`);
}

export async function startAssignment(token: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await call('POST', ASSIGN, { token, body, headers });
  expect(response.status, response.text).toBe(202);
  return z.object({ assignmentId: z.string(), status: z.string() }).parse(response.body);
}

export async function tenantEvents(tenantId: string, detailType: string) {
  const events = eventSchema.parse((await call('GET', `/_local/events?detailType=${detailType}`)).body);
  return events.filter((event) => event.detail.tenantId === tenantId);
}

export async function emailsTo(address: string) {
  const emails = emailSchema.parse((await call('GET', '/_local/emails')).body);
  return emails.filter((email) => JSON.stringify(email.to).includes(address));
}

/**
 * The emails to an address (whose subject includes `subjectIncludes`) once at least `count` arrived (or what there is after 10 s): a workflow
 * sets its final status before it sends its emails, so they follow the status by a moment.
 */
export async function emailsArrivedTo(address: string, count: number, subjectIncludes = '') {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const emails = (await emailsTo(address)).filter((email) => email.subject.includes(subjectIncludes));
    if (emails.length >= count || Date.now() > deadline) return emails;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Whether RBAC gives the user what listing bundles needs (`roles.assign`) now. */
export async function canManageBundles(token: string): Promise<boolean> {
  const status = (await call('GET', '/internal/iam/bundles', { token })).status;
  expect([200, 403]).toContain(status);
  return status === 200;
}
