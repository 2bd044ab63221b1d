import { createRequire } from 'node:module';
import { z } from 'zod';
import { closeServer, LOOPBACK } from '../net';

// aws-ses-v2-local is CommonJS with an `exports.default`; Node's and vitest's ESM interop disagree
// on what a default import of it is, so it is required, which means the same thing everywhere.
const require = createRequire(import.meta.url);
const sesLocal: typeof import('aws-ses-v2-local') = require('aws-ses-v2-local');

export interface SentEmail {
  readonly to: readonly string[];
  readonly subject: string;
  readonly text?: string;
  readonly html?: string;
  /** ISO 8601. */
  readonly at: string;
}

export interface SesEngine {
  readonly endpoint: string;
  /** The mail the engine has accepted, oldest first. */
  sentEmails(): Promise<SentEmail[]>;
  stop(): Promise<void>;
}

const storeSchema = z.object({
  emails: z.array(
    z.object({
      destination: z.object({ to: z.array(z.string()) }),
      subject: z.string(),
      body: z.object({ text: z.string().optional(), html: z.string().optional() }),
      /** Epoch seconds. */
      at: z.number(),
    }),
  ),
});

/**
 * aws-ses-v2-local keeps its mail in a module-level store, so every engine started in one
 * process shares it; the stack starts one per process.
 */
export async function startSes(options: { readonly port?: number } = {}): Promise<SesEngine> {
  const server = await sesLocal.default({ host: LOOPBACK, port: options.port ?? 0 });
  if (!server.listening) {
    // Its listen callback ignores errors, so a taken port shows up only as a server not listening.
    throw new Error(`the SES engine could not listen on port ${options.port}`);
  }
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the SES engine has no TCP address');
  const endpoint = `http://${LOOPBACK}:${address.port}`;
  return {
    endpoint,
    async sentEmails() {
      const response = await fetch(`${endpoint}/store`);
      const store = storeSchema.parse(await response.json());
      return store.emails
        .toSorted((a, b) => a.at - b.at)
        .map((email) => ({
          to: email.destination.to,
          subject: email.subject,
          ...(email.body.text === undefined ? {} : { text: email.body.text }),
          ...(email.body.html === undefined ? {} : { html: email.body.html }),
          at: new Date(email.at * 1000).toISOString(),
        }));
    },
    stop: () => closeServer(server),
  };
}
