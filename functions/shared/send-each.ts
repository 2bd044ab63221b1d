import pLimit from 'p-limit';
import type { Mailer, OutgoingEmail } from './aws/mailer';
import { logger } from './observability';

/** SES calls in flight at once: the SES client retries throttled bursts (aws/mailer.ts). */
const EMAILS_IN_FLIGHT = 8;

/**
 * Sends notification emails that must not be sent twice: each once, a few at a time; one that
 * fails is logged and counted out, never retried, and the rest still go out. Only the error's name
 * is logged, because SES messages can quote the recipient's address. Resolves with how many went out.
 */
export async function sendEach(
  mailer: Pick<Mailer, 'send'>,
  emails: readonly OutgoingEmail[],
  what: string,
): Promise<number> {
  const limit = pLimit(EMAILS_IN_FLIGHT);
  const sent = await Promise.all(
    emails.map((email) =>
      limit(async () => {
        try {
          await mailer.send(email);
          return true;
        } catch (error) {
          logger.warn(`${what} email not sent`, {
            error_name: error instanceof Error ? error.name : typeof error,
          });
          return false;
        }
      }),
    ),
  );
  return sent.filter(Boolean).length;
}
