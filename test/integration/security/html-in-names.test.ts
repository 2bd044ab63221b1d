import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BASE, csvOf, validatedTask, waitForStatus } from '../bulk-import/import-support';
import { call, principal, uniqueTenant } from '../support/api';

const sentEmailsSchema = z.array(
  z.object({
    to: z.array(z.string()),
    subject: z.string(),
    html: z.string().optional(),
    text: z.string().optional(),
  }),
);

/**
 * Names are the one thing in a welcome email the importing operator types: markup in them must reach
 * the person as text, never as HTML an email client renders.
 */
describe('HTML in imported names', () => {
  it('reaches the welcome email escaped, never as a tag', async () => {
    const tenantId = uniqueTenant('html');
    const admin = await principal(tenantId, 'admin@html.test', ['tenant_admin']);
    const people = [
      { email: `img@${tenantId}.test`, given: 'Ann', family: 'Lee', display: '<img src=x onerror=alert(1)>' },
      {
        email: `script@${tenantId}.test`,
        given: '"><script>alert(1)</script>',
        family: '<b>Bold</b>',
        display: '',
      },
    ];
    const csv = csvOf(
      ['email', 'given_name', 'family_name', 'display_name'],
      people.map((person) => [person.email, person.given, person.family, person.display]),
    );
    const taskId = await validatedTask(admin, csv, { fileName: 'names.csv' });
    const committed = await call('POST', `${BASE}/commit`, {
      token: admin.token,
      body: { taskId, sendWelcome: true },
    });
    expect(committed.status, committed.text).toBe(202);
    const done = await waitForStatus(admin, taskId, ['COMPLETED', 'COMPLETED_WITH_ERRORS', 'FAILED']);
    expect(done).toMatchObject({ status: 'COMPLETED', counts: { succeeded: 2, notified: 2 } });

    const emails = sentEmailsSchema.parse((await call('GET', '/_local/emails')).body);
    const htmlTo = (address: string) => {
      const sent = emails.filter((email) => email.to.includes(address));
      expect(sent).toHaveLength(1);
      return sent[0]?.html ?? '';
    };

    const imgHtml = htmlTo(`img@${tenantId}.test`);
    expect(imgHtml).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(imgHtml).not.toContain('<img');

    // No display name: the greeting is "given family", both escaped.
    const scriptHtml = htmlTo(`script@${tenantId}.test`);
    expect(scriptHtml).toContain('&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;Bold&lt;/b&gt;');
    expect(scriptHtml).not.toMatch(/<script|<b>Bold|"><|onerror/i);
  });
});
