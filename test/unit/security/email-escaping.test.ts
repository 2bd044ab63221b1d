import { describe, expect, it } from 'vitest';
import {
  approvalEscalationEmail,
  approvalReminderEmail,
  approvalRequestedEmail,
} from '../../../functions/approvals/domain/approval-emails';
import { welcomeEmail } from '../../../functions/bulk-import/domain/welcome-email';
import {
  assignmentSummaryEmail,
  expiringEmail,
  grantedEmail,
} from '../../../functions/entitlements/domain/grant-emails';

/** What a hostile name or label may hold: markup that runs if an email client renders it as HTML. */
const HOSTILE_TEXTS = [
  '<img src=x onerror=alert(1)>',
  '"><script>alert(1)</script>',
  "' onmouseover='alert(1)",
  '&lt;b&gt;already escaped&lt;/b&gt;',
] as const;

/** The only markup the templates write themselves. */
const TEMPLATE_TAGS = /<\/?(?:p|b)>|<a href="[^"<>]*">|<\/a>/g;

const NAMED_ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', quot: '"', amp: '&' };

/** One pass, as a browser reads it: `&amp;lt;` is the text `&lt;`, not `<`. */
function decodeEntities(html: string): string {
  return html.replace(/&(?:#(\d+)|(\w+));/g, (entity, code: string | undefined, name: string | undefined) =>
    code !== undefined ? String.fromCharCode(Number(code)) : (NAMED_ENTITIES[name ?? ''] ?? entity),
  );
}

/** The HTML has no markup but the template's, and says `text` once its entities are decoded. */
function expectEscaped(html: string, text: string): void {
  const withoutTemplateTags = html.replace(TEMPLATE_TAGS, '');
  expect(withoutTemplateTags).not.toMatch(/[<>]/);
  expect(decodeEntities(withoutTemplateTags)).toContain(text);
}

const approval = (summary: string) =>
  ({
    approvalId: 'apr_0123456789abcdef0123456789',
    tenantId: 'acme',
    subject: { type: 'batch_assign', assignmentId: 'asg_0' },
    risk: 'high',
    approverRole: 'security_approver',
    requestedBy: 'u_requester',
    grants: 2,
    summary,
    status: 'PENDING',
    createdAt: '2026-01-01T00:00:00.000Z',
    slaDueAt: '2026-01-01T00:30:00.000Z',
    expiresAt: '2026-01-02T00:00:00.000Z',
    taskToken: 'token',
    resumed: false,
    correlationId: 'c',
  }) as Parameters<typeof approvalRequestedEmail>[0];

describe.each(HOSTILE_TEXTS)('emails carrying %s', (hostile) => {
  it.each(['en', 'de', 'fr', 'es'])('the welcome email (%s) escapes the name', (locale) => {
    const email = welcomeEmail({
      name: hostile,
      locale,
      activationUrl: `https://app.test/activate?token=a"b<c>&tenant=t`,
      expiresInHours: 72,
    });
    expectEscaped(email.html, hostile);
    expect(email.html).toContain('href="https://app.test/activate?token=a&quot;b&lt;c&gt;&amp;tenant=t"');
    // Plain text is not HTML: the name is as typed.
    expect(email.text).toContain(hostile);
  });

  it('the approval emails escape the summary', () => {
    for (const email of [
      approvalRequestedEmail(approval(hostile)),
      approvalReminderEmail(approval(hostile), 45),
      approvalEscalationEmail(approval(hostile), 45),
    ]) {
      expectEscaped(email.html, hostile);
    }
  });

  it('the grant and assignment emails escape bundle names, scopes and reasons', () => {
    expectEscaped(grantedEmail({ bundles: [hostile], scope: hostile }).html, hostile);
    expectEscaped(
      expiringEmail({ bundleId: hostile, scope: hostile, validUntil: '2026-02-01', hours: 48 }).html,
      hostile,
    );
    const summary = assignmentSummaryEmail({
      assignmentId: 'asg_0',
      status: 'COMPLETED_WITH_ERRORS',
      counts: { members: 1, grants: 1, planned: 1, granted: 0, merged: 0, failed: 1, rejected: 0 },
      reason: hostile,
    });
    expectEscaped(summary.html, hostile);
  });
});
