import { afterEach, describe, expect, it, vi } from 'vitest';
import { logger } from '../../../functions/shared/observability';
import { sendEach } from '../../../functions/shared/send-each';

const email = (to: string) => ({ to, subject: 's', text: 't', html: '<p>t</p>' });

afterEach(() => {
  vi.restoreAllMocks();
});

describe('sendEach', () => {
  it('sends each email once and counts those that went out, skipping one that fails', async () => {
    const sent: string[] = [];
    const mailer = {
      send: async ({ to }: { to: string }) => {
        if (to === 'bad@acme.test')
          throw new Error('MessageRejected: Email address is not verified: bad@acme.test');
        sent.push(to);
      },
    };
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => {});
    const count = await sendEach(mailer, ['a@acme.test', 'bad@acme.test', 'b@acme.test'].map(email), 'Test');
    expect(count).toBe(2);
    expect(sent.sort()).toEqual(['a@acme.test', 'b@acme.test']);
    // The failure is logged by the error's name only: SES messages quote the address.
    expect(warn).toHaveBeenCalledWith('Test email not sent', { error_name: 'Error' });
    expect(JSON.stringify(warn.mock.calls)).not.toContain('bad@acme.test');
  });

  it('keeps at most eight sends in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const mailer = {
      send: async () => {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 1));
        inFlight--;
      },
    };
    expect(
      await sendEach(
        mailer,
        Array.from({ length: 30 }, (_, i) => email(`u${i}@acme.test`)),
        'Test',
      ),
    ).toBe(30);
    expect(most).toBe(8);
  });
});
