import { randomUUID } from 'node:crypto';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { LOCAL_NAMES } from '../../../local/environment';
import { engineClientConfig } from '../support/api';

const apiUrl = inject('apiUrl');

const client = new SESv2Client(engineClientConfig('ses'));
afterAll(() => client.destroy());

describe('the local SES engine', () => {
  it('keeps what SESv2 SendEmail sends and lists it on /_local/emails, newest last', async () => {
    const subject = `Welcome ${randomUUID()}`;
    await client.send(
      new SendEmailCommand({
        FromEmailAddress: LOCAL_NAMES.mailFrom,
        Destination: { ToAddresses: ['new.user@example.com'] },
        Content: {
          Simple: {
            Subject: { Data: subject },
            Body: { Text: { Data: 'Hello in text' }, Html: { Data: '<p>Hello in HTML</p>' } },
          },
        },
      }),
    );

    const response = await fetch(`${apiUrl}/_local/emails`);
    const emails = z
      .array(
        z.object({
          to: z.array(z.string()),
          subject: z.string(),
          text: z.string().optional(),
          html: z.string().optional(),
          at: z.iso.datetime(),
        }),
      )
      .parse(await response.json());
    expect(emails.at(-1)).toEqual({
      to: ['new.user@example.com'],
      subject,
      text: 'Hello in text',
      html: '<p>Hello in HTML</p>',
      at: expect.any(String),
    });
  });
});
