import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { z } from 'zod';
import { readBody } from '../http-body';
import { closeServer, LOOPBACK, listen } from '../net';
import { SES_FAULT_ERRORS, type SesFaultReport, SesFaultSwitch, type SesFaults } from './faults';

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
  /** Arms send failures (tests of SES faults), or disarms them with `undefined`. */
  setFaults(faults: SesFaults | undefined): void;
  faultReport(): SesFaultReport;
  stop(): Promise<void>;
}

/** The SESv2 SendEmail route, the one the faults apply to. */
const SEND_EMAIL_PATH = '/v2/email/outbound-emails';
/** A SendEmail request is small; SES itself caps a message at 40 MB. */
const MAX_REQUEST_BYTES = 40 * 1024 * 1024;

const sendEmailRecipientsSchema = z.object({
  Destination: z
    .object({
      ToAddresses: z.array(z.string()).optional(),
      CcAddresses: z.array(z.string()).optional(),
      BccAddresses: z.array(z.string()).optional(),
    })
    .optional(),
});

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
 * process shares it; the stack starts one per process. A front of ours stands before it and is
 * the endpoint handlers see: it forwards every request, and fails the sends the armed faults choose.
 */
export async function startSes(options: { readonly port?: number } = {}): Promise<SesEngine> {
  const server = await sesLocal.default({ host: LOOPBACK, port: 0 });
  if (!server.listening) throw new Error('the SES engine could not listen');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the SES engine has no TCP address');
  const backend = `http://${LOOPBACK}:${address.port}`;
  const faults = new SesFaultSwitch();
  const front = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (response.headersSent) {
        response.destroy();
        return;
      }
      response.writeHead(500, { 'content-type': 'application/json', 'x-amzn-errortype': 'InternalFailure' });
      response.end(JSON.stringify({ message: String(error) }));
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request, MAX_REQUEST_BYTES);
    if (body === undefined) {
      response.writeHead(413).end();
      return;
    }
    const path = (request.url ?? '/').split('?')[0];
    if (request.method === 'POST' && path === SEND_EMAIL_PATH) {
      const error = faults.decide(recipientsOf(body));
      if (error !== undefined) {
        const { status, message } = SES_FAULT_ERRORS[error];
        // restJson: the SDK reads the error's name from this header.
        response.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': error });
        response.end(JSON.stringify({ message }));
        return;
      }
    }
    const forwarded = await fetch(`${backend}${request.url ?? '/'}`, {
      method: request.method ?? 'GET',
      headers: forwardableHeaders(request),
      ...(body.length > 0 ? { body } : {}),
    });
    const answer = Buffer.from(await forwarded.arrayBuffer());
    response.writeHead(forwarded.status, {
      'content-type': forwarded.headers.get('content-type') ?? 'application/json',
    });
    response.end(answer);
  }

  let port: number;
  try {
    port = await listen(front, options.port ?? 0);
  } catch (error) {
    await closeServer(server);
    throw error;
  }
  const endpoint = `http://${LOOPBACK}:${port}`;
  return {
    endpoint,
    setFaults: (armed) => faults.set(armed),
    faultReport: () => faults.report(),
    async sentEmails() {
      const response = await fetch(`${backend}/store`);
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
    async stop() {
      await closeServer(front);
      await closeServer(server);
    },
  };
}

/** Every recipient of a SendEmail request; a body that is not one names none (the engine judges it). */
function recipientsOf(body: Buffer): string[] {
  try {
    const parsed = sendEmailRecipientsSchema.safeParse(JSON.parse(body.toString('utf8')));
    if (!parsed.success) return [];
    const destination = parsed.data.Destination ?? {};
    return [
      ...(destination.ToAddresses ?? []),
      ...(destination.CcAddresses ?? []),
      ...(destination.BccAddresses ?? []),
    ];
  } catch {
    return [];
  }
}

/** The request's headers for the engine behind, without those fetch sets itself. */
function forwardableHeaders(request: IncomingMessage): Record<string, string> {
  const skipped = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'expect']);
  return Object.fromEntries(
    Object.entries(request.headers).flatMap(([name, value]) =>
      skipped.has(name) || value === undefined
        ? []
        : [[name, Array.isArray(value) ? value.join(', ') : value]],
    ),
  );
}
