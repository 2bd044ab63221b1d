import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { z } from 'zod';
import { discardRestOfBody, readBody } from '../http-body';
import { closeServer, LOOPBACK, listen } from '../net';
import type { LocalEventBus, PublishedEntry } from './bus';
import type { EventBridgeFaultSwitch } from './faults';

/**
 * The PutEvents action of EventBridge (AWS JSON 1.1), enough for `@aws-sdk/client-eventbridge`
 * pointed here by `AWS_ENDPOINT_URL_EVENTBRIDGE`. Other actions are refused: rules live in
 * config/event-rules.ts, not in API calls.
 */
const PUT_EVENTS_TARGET = 'AWSEvents.PutEvents';
const CONTENT_TYPE = 'application/x-amz-json-1.1';
/** PutEvents takes 256 KB per request; anything far beyond is not a request worth parsing. */
const MAX_REQUEST_BYTES = 1024 * 1024;
const MAX_ENTRIES = 10;

const entrySchema = z.object({
  Source: z.string().optional(),
  DetailType: z.string().optional(),
  Detail: z.string().optional(),
  EventBusName: z.string().optional(),
  Resources: z.array(z.string()).optional(),
  /** The SDK sends a Date as epoch seconds. */
  Time: z.number().optional(),
});
const requestSchema = z.object({ Entries: z.array(entrySchema).min(1).max(MAX_ENTRIES) });
type RequestEntry = z.infer<typeof entrySchema>;

type EntryResult = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

export type CheckedEntry =
  | { ok: true; entry: PublishedEntry }
  | { ok: false; ErrorCode: string; ErrorMessage: string };

/**
 * Validates one entry the way EventBridge does, each entry on its own: a bad entry fails alone
 * and the others are still put. `busName` is the only bus; an entry naming another (or none,
 * which means `default`) fails, which catches a handler that forgot `EventBusName`.
 */
export function checkEntry(raw: RequestEntry, busName: string, now: Date): CheckedEntry {
  const required = (field: string) => ({
    ok: false as const,
    ErrorCode: 'InvalidArgument',
    ErrorMessage: `Parameter ${field} is not valid. Reason: ${field} is a required argument.`,
  });
  if (!raw.Source) return required('Source');
  if (!raw.DetailType) return required('DetailType');
  if (raw.Detail === undefined) return required('Detail');
  const requestedBus = raw.EventBusName ?? 'default';
  if (requestedBus !== busName && !requestedBus.endsWith(`:event-bus/${busName}`)) {
    return {
      ok: false,
      ErrorCode: 'ResourceNotFoundException',
      ErrorMessage: `Event bus ${requestedBus} does not exist.`,
    };
  }
  const detail = parseJsonObject(raw.Detail);
  if (detail === undefined)
    return { ok: false, ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  return {
    ok: true,
    entry: {
      source: raw.Source,
      detailType: raw.DetailType,
      detail,
      time: raw.Time === undefined ? now : new Date(raw.Time * 1000),
      resources: raw.Resources ?? [],
    },
  };
}

/** EventBridge requires Detail to be a JSON object. */
function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const parsed = z.record(z.string(), z.unknown()).safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export interface PutEventsEndpoint {
  readonly endpoint: string;
  stop(): Promise<void>;
}

export async function startPutEventsEndpoint(options: {
  readonly bus: LocalEventBus;
  readonly busName: string;
  /** Rejects the entries armed faults choose, as PutEvents does on a partial failure. */
  readonly faults?: Pick<EventBridgeFaultSwitch, 'decide'>;
  readonly port?: number;
}): Promise<PutEventsEndpoint> {
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      reply(response, 500, { __type: 'InternalException', message: String(error) });
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method !== 'POST' || request.headers['x-amz-target'] !== PUT_EVENTS_TARGET) {
      request.resume();
      reply(response, 400, {
        __type: 'UnknownOperationException',
        message: `The local bus implements only ${PUT_EVENTS_TARGET}.`,
      });
      return;
    }
    const body = await readBody(request, MAX_REQUEST_BYTES);
    if (body === undefined) {
      discardRestOfBody(request, response);
      reply(response, 413, {
        __type: 'ValidationException',
        message: 'Total size of the entries is too large.',
      });
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      reply(response, 400, {
        __type: 'SerializationException',
        message: 'The request body is not valid JSON.',
      });
      return;
    }
    const parsed = requestSchema.safeParse(json);
    if (!parsed.success) {
      const message = parsed.error.issues
        .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
        .join('; ');
      reply(response, 400, { __type: 'ValidationException', message });
      return;
    }
    const now = new Date();
    const entries: EntryResult[] = parsed.data.Entries.map((raw) => {
      const checked = checkEntry(raw, options.busName, now);
      if (!checked.ok) return { ErrorCode: checked.ErrorCode, ErrorMessage: checked.ErrorMessage };
      const fault = options.faults?.decide({
        detail: checked.entry.detail,
        detailText: raw.Detail ?? '',
      });
      if (fault !== undefined) return { ErrorCode: fault, ErrorMessage: `Injected ${fault} (local faults).` };
      return { EventId: options.bus.publish(checked.entry).id };
    });
    const failed = entries.filter((entry) => 'ErrorCode' in entry).length;
    reply(response, 200, { FailedEntryCount: failed, Entries: entries });
  }

  const port = await listen(server, options.port ?? 0);
  return { endpoint: `http://${LOOPBACK}:${port}`, stop: () => closeServer(server) };
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  if (response.headersSent) return;
  response.writeHead(status, { 'content-type': CONTENT_TYPE, 'x-amzn-requestid': randomUUID() });
  response.end(JSON.stringify(body));
}
