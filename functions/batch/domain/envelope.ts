import { z } from 'zod';
import { BadRequestError, type ErrorDetail, PayloadTooLargeError } from '../../shared/errors';

/**
 * The `POST /api/v1/$batch` envelope (issue 5): its shape, the rules that make a batch runnable,
 * the order its requests run in, and which requests a failed dependency stops. Semantics follow
 * Microsoft Graph JSON batching where the seed is silent. Pure: the route runs the requests.
 */

/** Beyond this, the whole envelope is refused (413) before anything else is looked at. */
export const MAX_BATCH_REQUESTS = 20;

export const BATCH_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type BatchMethod = (typeof BATCH_METHODS)[number];

/** Ids show up in messages, logs and metrics, so they stay short and free of spaces and quotes. */
const REQUEST_ID = /^[A-Za-z0-9._:~-]{1,64}$/;
const MAX_URL_LENGTH = 2048;
/** RFC 9110 token characters; anything else is not a header name any router would see. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;
/**
 * Every sub-request runs as the envelope's caller: an item may not bring its own identity or
 * session, nor pretend to be another host.
 */
const FORBIDDEN_HEADERS: ReadonlySet<string> = new Set(['authorization', 'cookie', 'host']);

const requestIdSchema = z
  .string({
    error: (issue) =>
      `${issue.input === undefined ? 'id is required' : 'id must be a string'}, e.g. "create-alice".`,
  })
  .regex(REQUEST_ID, {
    error:
      'id must be 1 to 64 characters of letters, digits, ".", "_", ":", "~" or "-", e.g. "create-alice".',
  });

/** Why `url` is not a path of this API, or undefined when it is. */
function urlProblem(url: string): string | undefined {
  const example = 'e.g. "/v1/admin/users/u_123"';
  if (!url.startsWith('/') || url.startsWith('//')) {
    return `url must be a path of this API starting with a single "/", without scheme or host, ${example}.`;
  }
  if (url.length > MAX_URL_LENGTH) return `url is longer than ${MAX_URL_LENGTH} characters.`;
  // Control characters and spaces would be read differently by different parsers.
  if (/[\s\\#]|\p{Cc}/u.test(url)) {
    return 'url must not contain spaces, control characters, "\\" or a "#" fragment; percent-encode them.';
  }
  const path = url.split('?', 1)[0] ?? '';
  for (const segment of path.split('/')) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return `url has a malformed percent-encoding in "${segment}".`;
    }
    // Encoded dots count too: a router that decodes before matching would otherwise walk up.
    if (decoded === '.' || decoded === '..') {
      return `url must not contain "." or ".." segments; name the resource's path directly, ${example}.`;
    }
  }
  if (path.endsWith('/$batch')) {
    return 'url must not be the $batch endpoint itself: batches do not nest. Put the requests in this envelope.';
  }
  return undefined;
}

const urlSchema = z
  .string({
    error: (issue) =>
      `${issue.input === undefined ? 'url is required' : 'url must be a string'}: a path of this API, e.g. "/v1/admin/users/u_123".`,
  })
  .check((ctx) => {
    const problem = urlProblem(ctx.value);
    if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
  });

const headerNameSchema = z.string().check((ctx) => {
  const name = ctx.value;
  if (!HEADER_NAME.test(name)) {
    ctx.issues.push({
      code: 'custom',
      input: name,
      message: `"${name}" is not a valid header name; use letters, digits and "-".`,
    });
  } else if (FORBIDDEN_HEADERS.has(name.toLowerCase())) {
    ctx.issues.push({
      code: 'custom',
      input: name,
      message: `the "${name.toLowerCase()}" header may not be set on a request of a batch: every request runs as the caller of the envelope.`,
    });
  }
});

/** Names that differ only in case, which would collapse into one header once lower-cased. */
function caseCollisions(headers: unknown): string[] {
  if (!isObject(headers)) return [];
  const byLower = new Map<string, string[]>();
  for (const name of Object.keys(headers)) {
    const lower = name.toLowerCase();
    byLower.set(lower, [...(byLower.get(lower) ?? []), name]);
  }
  return [...byLower.values()]
    .filter((names) => names.length > 1)
    .map((names) => names.map((name) => `"${name}"`).join(' and '));
}

/** Header names compare case-insensitively (RFC 9110), so the route sees them lower case only. */
const headersSchema = z
  .record(headerNameSchema, z.string({ error: 'header values must be strings.' }), {
    error: (issue) =>
      issue.code === 'invalid_key'
        ? issue.issues[0]?.message
        : issue.code === 'invalid_type'
          ? 'headers must be an object of header names to string values.'
          : undefined,
  })
  // `when` lets this run beside other header problems, so all of them are reported at once.
  .refine((headers) => caseCollisions(headers).length === 0, {
    when: (payload) => isObject(payload.value),
    error: (issue) =>
      `headers name the same header more than once (${caseCollisions(issue.input).join('; ')}); header names ignore case, so keep one of each.`,
  })
  .transform((headers) =>
    Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value])),
  );

const itemKeys = 'id, method, url, headers, body and dependsOn';

export const batchRequestSchema = z
  .strictObject(
    {
      id: requestIdSchema,
      method: z.enum(BATCH_METHODS, {
        error: (issue) =>
          `${issue.input === undefined ? 'method is required' : 'method is not supported'}: use one of ${BATCH_METHODS.join(', ')} (upper case).`,
      }),
      url: urlSchema,
      headers: headersSchema.optional(),
      body: z.unknown().optional(),
      dependsOn: z
        .array(requestIdSchema, { error: 'dependsOn must be an array of request ids of this batch.' })
        .max(MAX_BATCH_REQUESTS, { error: `dependsOn names at most ${MAX_BATCH_REQUESTS} requests.` })
        // Naming a dependency twice means nothing more than naming it once.
        .transform((ids) => [...new Set(ids)])
        .optional(),
    },
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')}; a request has ${itemKeys}.`
          : issue.code === 'invalid_type'
            ? `each request must be an object with ${itemKeys}.`
            : undefined,
    },
  )
  // `when` lets this run beside the request's other problems, so all of them are reported at once.
  .refine((request) => !isObject(request) || request.method !== 'GET' || request.body === undefined, {
    when: (payload) => isObject(payload.value),
    path: ['body'],
    error: 'a GET request carries no body; put its parameters in the url query.',
  });
export type BatchRequest = z.infer<typeof batchRequestSchema>;

export const batchEnvelopeSchema = z.strictObject(
  {
    requests: z
      .array(batchRequestSchema, { error: 'requests must be an array of requests.' })
      .min(1, { error: 'requests must hold at least one request.' })
      // parseBatchEnvelope refuses an oversized batch before this; the bound documents the contract.
      .max(MAX_BATCH_REQUESTS, { error: `requests holds at most ${MAX_BATCH_REQUESTS} requests.` }),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')}; the envelope is {"requests": [...]}.`
        : issue.code === 'invalid_type'
          ? 'The batch must be a JSON object {"requests": [...]}.'
          : undefined,
  },
);
export type BatchEnvelope = z.infer<typeof batchEnvelopeSchema>;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** What the dependency rules and the plan need of a request. */
export interface DependencyNode {
  readonly id: string;
  readonly dependsOn?: readonly string[];
}

/** A problem found at a request, kept with its position so all problems read in request order. */
interface Problem {
  readonly index: number;
  readonly detail: ErrorDetail;
}

/**
 * Validates an envelope. More than {@link MAX_BATCH_REQUESTS} requests is refused first and alone
 * (`PayloadTooLargeError` `TOO_MANY_REQUESTS`, 413), whatever else is wrong, so the answer to an
 * oversized batch is always the same. Otherwise every problem of shape and dependencies is reported
 * at once (`BadRequestError` `INVALID_BATCH`, 400), so one fix-and-retry settles them all.
 */
export function parseBatchEnvelope(input: unknown): BatchEnvelope {
  const rawRequests = rawRequestsOf(input);
  if (rawRequests && rawRequests.length > MAX_BATCH_REQUESTS) {
    throw new PayloadTooLargeError(
      'TOO_MANY_REQUESTS',
      `The batch holds ${rawRequests.length} requests; a batch holds at most ${MAX_BATCH_REQUESTS}. Nothing was run: split it into batches of at most ${MAX_BATCH_REQUESTS}.`,
    );
  }

  const parsed = batchEnvelopeSchema.safeParse(input);
  const problems: Problem[] = parsed.success
    ? []
    : parsed.error.issues.map((issue) => {
        const [, index] = issue.path;
        return {
          index: typeof index === 'number' ? index : -1,
          detail: {
            path: issue.path.map(String).join('.') || '(envelope)',
            code: issue.code,
            message: issue.message,
          },
        };
      });
  // The dependency rules also run on a malformed batch, over the requests whose ids can be read.
  if (rawRequests) problems.push(...dependencyProblems(rawRequests.map(readableNode)));

  if (parsed.success && problems.length === 0) return parsed.data;

  const details = problems
    .map((problem, order) => ({ ...problem, order }))
    .sort((a, b) => a.index - b.index || a.order - b.order)
    .map(({ index, detail }) => labelled(detail, rawRequests, index));
  const [first] = details;
  throw new BadRequestError(
    'INVALID_BATCH',
    details.length === 1
      ? `The batch is invalid and nothing was run: ${first?.message}`
      : `The batch has ${details.length} problems and nothing was run; see details. First: ${first?.message}`,
    details,
  );
}

function rawRequestsOf(input: unknown): readonly unknown[] | undefined {
  return isObject(input) && Array.isArray(input.requests) ? input.requests : undefined;
}

/** A request's id and dependencies as far as they can be read, for a batch that may be malformed. */
function readableNode(raw: unknown): DependencyNode | undefined {
  if (!isObject(raw) || typeof raw.id !== 'string') return undefined;
  const dependsOn = Array.isArray(raw.dependsOn)
    ? raw.dependsOn.filter((id): id is string => typeof id === 'string')
    : [];
  return { id: raw.id, dependsOn };
}

/** Prefixes a request-level message with the request's id, which the caller knows it by. */
function labelled(
  detail: ErrorDetail,
  rawRequests: readonly unknown[] | undefined,
  index: number,
): ErrorDetail {
  const node = index >= 0 ? readableNode(rawRequests?.[index]) : undefined;
  const who = node && REQUEST_ID.test(node.id) ? `request "${node.id}"` : `request #${index + 1}`;
  return index >= 0 ? { ...detail, message: `${capitalised(who)}: ${detail.message}` } : detail;
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Duplicate ids, dependencies on unknown ids or on oneself, and cycles. Requests without a readable
 * id are skipped: their shape problem is reported already.
 */
function dependencyProblems(nodes: readonly (DependencyNode | undefined)[]): Problem[] {
  const problems: Problem[] = [];
  const firstIndex = new Map<string, number>();
  for (const [index, node] of nodes.entries()) {
    if (!node) continue;
    const first = firstIndex.get(node.id);
    if (first === undefined) {
      firstIndex.set(node.id, index);
      continue;
    }
    problems.push({
      index,
      detail: {
        path: `requests.${index}.id`,
        code: 'DUPLICATE_ID',
        message: `the id "${node.id}" is already used by request #${first + 1}; give every request of a batch its own id.`,
      },
    });
  }

  const known = [...firstIndex.keys()].map((id) => `"${id}"`).join(', ');
  const edges = new Map<string, string[]>();
  for (const [index, node] of nodes.entries()) {
    if (!node || firstIndex.get(node.id) !== index) continue;
    const targets: string[] = [];
    for (const dependency of new Set(node.dependsOn)) {
      const path = `requests.${index}.dependsOn`;
      if (dependency === node.id) {
        problems.push({
          index,
          detail: {
            path,
            code: 'SELF_DEPENDENCY',
            message: `it depends on itself, so it could never run; remove "${dependency}" from its dependsOn.`,
          },
        });
      } else if (!firstIndex.has(dependency)) {
        problems.push({
          index,
          detail: {
            path,
            code: 'UNKNOWN_DEPENDENCY',
            message: `it depends on "${dependency}", but no request of this batch has that id (ids: ${known}).`,
          },
        });
      } else targets.push(dependency);
    }
    edges.set(node.id, targets);
  }

  for (const cycle of cyclesOf([...firstIndex.keys()], edges)) {
    const [start] = cycle;
    const index = start === undefined ? -1 : (firstIndex.get(start) ?? -1);
    problems.push({
      index,
      detail: {
        path: `requests.${index}.dependsOn`,
        code: 'DEPENDENCY_CYCLE',
        message: `requests ${cycle.map((id) => `"${id}"`).join(' → ')} → "${start}" depend on each other in a cycle ("→" reads "depends on"), so none of them can run first; remove one of these dependsOn links.`,
      },
    });
  }
  return problems;
}

/**
 * One cycle per strongly connected group of requests (Tarjan), each as the shortest path from the
 * group's first request back to itself. One cycle names the ids involved without listing every
 * loop of a tangle; breaking it and retrying reveals any other.
 */
function cyclesOf(ids: readonly string[], edges: ReadonlyMap<string, readonly string[]>): string[][] {
  const order = new Map(ids.map((id, index) => [id, index]));
  const indexOf = new Map<string, number>();
  const lowLink = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  let counter = 0;

  const connect = (id: string): void => {
    indexOf.set(id, counter);
    lowLink.set(id, counter);
    counter += 1;
    stack.push(id);
    onStack.add(id);
    for (const next of edges.get(id) ?? []) {
      if (!indexOf.has(next)) {
        connect(next);
        lowLink.set(id, Math.min(lowLink.get(id) ?? 0, lowLink.get(next) ?? 0));
      } else if (onStack.has(next)) {
        lowLink.set(id, Math.min(lowLink.get(id) ?? 0, indexOf.get(next) ?? 0));
      }
    }
    if (lowLink.get(id) !== indexOf.get(id)) return;
    const group: string[] = [];
    let member: string | undefined;
    do {
      member = stack.pop();
      if (member === undefined) break;
      onStack.delete(member);
      group.push(member);
    } while (member !== id);
    if (group.length > 1) groups.push(group);
  };
  for (const id of ids) if (!indexOf.has(id)) connect(id);

  const byRequestOrder = (a: string, b: string): number => (order.get(a) ?? 0) - (order.get(b) ?? 0);
  return groups
    .map((group) => shortestCycle(group.sort(byRequestOrder), edges))
    .sort((a, b) => byRequestOrder(a[0] ?? '', b[0] ?? ''));
}

/** Breadth-first from the group's first id back to it, staying inside the group. */
function shortestCycle(group: readonly string[], edges: ReadonlyMap<string, readonly string[]>): string[] {
  const [start] = group;
  if (start === undefined) return [];
  const members = new Set(group);
  const previous = new Map<string, string>();
  const queue = [start];
  for (let head = 0; head < queue.length; head += 1) {
    const id = queue[head] as string;
    for (const next of edges.get(id) ?? []) {
      if (!members.has(next)) continue;
      if (next === start) {
        const path = [id];
        for (let at = previous.get(id); at !== undefined; at = previous.get(at)) path.unshift(at);
        return path;
      }
      if (previous.has(next)) continue;
      previous.set(next, id);
      queue.push(next);
    }
  }
  return [...group];
}

/**
 * The order a valid batch runs in: waves, each holding the requests whose dependencies all ran in
 * earlier waves, in request order. A request sits in the earliest wave it can, so the requests of
 * a wave are independent of each other and may run concurrently.
 */
export function executionPlan<T extends DependencyNode>(requests: readonly T[]): T[][] {
  const waveOf = new Map<string, number>();
  const waves: T[][] = [];
  let remaining = [...requests];
  while (remaining.length > 0) {
    const wave = waves.length;
    const ready = remaining.filter((request) =>
      (request.dependsOn ?? []).every((dependency) => (waveOf.get(dependency) ?? wave) < wave),
    );
    if (ready.length === 0) {
      // Unreachable for a batch parseBatchEnvelope accepted; guards against looping forever.
      throw new Error(
        `No request of ${remaining.map((request) => request.id).join(', ')} can run: validate the batch with parseBatchEnvelope first.`,
      );
    }
    for (const request of ready) waveOf.set(request.id, wave);
    waves.push(ready);
    remaining = remaining.filter((request) => !waveOf.has(request.id));
  }
  return waves;
}

/** A sub-request succeeded when its status is 2xx; anything else stops the requests that depend on it. */
export function succeeded(status: number): boolean {
  return status >= 200 && status <= 299;
}

/** Why a request is answered 424 without running. */
export interface SkippedRequest {
  /** The request that failed and, directly or through other skipped requests, stops this one. */
  readonly failedId: string;
  readonly message: string;
}

/**
 * The requests that must not run because a request they depend on, directly or transitively,
 * failed. Requests in `failedIds` ran and keep their own status; they are not in the result.
 * Walking the plan wave by wave settles each dependency before its dependents.
 */
export function dependentsToSkip(
  plan: readonly (readonly DependencyNode[])[],
  failedIds: Iterable<string>,
): ReadonlyMap<string, SkippedRequest> {
  const failed = new Set(failedIds);
  const skipped = new Map<string, SkippedRequest>();
  for (const wave of plan) {
    for (const request of wave) {
      if (failed.has(request.id)) continue;
      for (const dependency of request.dependsOn ?? []) {
        const failedId = failed.has(dependency) ? dependency : skipped.get(dependency)?.failedId;
        if (failedId === undefined) continue;
        skipped.set(request.id, {
          failedId,
          message:
            failedId === dependency
              ? `Not run: it depends on request "${dependency}", which failed.`
              : `Not run: it depends on request "${dependency}", which was not run because request "${failedId}" failed.`,
        });
        break;
      }
    }
  }
  return skipped;
}

/** One request's answer: its status, the headers that matter to a client, and the route's JSON body. */
export const batchResponseItemSchema = z.object({
  id: z.string(),
  status: z.number().int().min(200).max(599),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.unknown().optional(),
});
export type BatchResponseItem = z.infer<typeof batchResponseItemSchema>;

/** `200 {responses}`: one answer per request, in request order. */
export const batchResponseSchema = z.object({ responses: z.array(batchResponseItemSchema) });
