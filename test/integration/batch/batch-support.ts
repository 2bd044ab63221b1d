import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { userResourceSchema } from '../../../functions/identity/domain/user';
import { type ApiResponse, call, type Principal } from '../support/api';

export const BATCH = '/api/v1/$batch';
export const USERS = '/v1/admin/users';

const answerSchema = z.object({
  id: z.string(),
  status: z.number(),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.unknown().optional(),
});
export type BatchAnswer = z.infer<typeof answerSchema>;

const errorBodySchema = z.object({ error: z.object({ code: z.string() }), correlationId: z.string() });

export interface BatchRequest {
  readonly id: string;
  readonly method: string;
  readonly url: string;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
  readonly dependsOn?: string[];
}

export function sendBatch(
  caller: Principal | { readonly headers: Record<string, string> },
  requests: readonly BatchRequest[],
  headers: Record<string, string> = {},
): Promise<ApiResponse> {
  return 'token' in caller
    ? call('POST', BATCH, { token: caller.token, body: { requests }, headers })
    : call('POST', BATCH, { body: { requests }, headers: { ...caller.headers, ...headers } });
}

/** The answers of a 200 batch, by request id; fails with the body when the envelope was refused. */
export function answersOf(response: ApiResponse): Map<string, BatchAnswer> {
  if (response.status !== 200) throw new Error(`the batch answered ${response.status}: ${response.text}`);
  const { responses } = z.object({ responses: z.array(answerSchema) }).parse(response.body);
  return new Map(responses.map((answer) => [answer.id, answer]));
}

export function answer(answers: Map<string, BatchAnswer>, id: string): BatchAnswer {
  const found = answers.get(id);
  if (!found) throw new Error(`no answer for request "${id}" among ${[...answers.keys()].join(', ')}`);
  return found;
}

export function userOf(found: BatchAnswer) {
  return userResourceSchema.parse(found.body);
}

export function codeOf(found: BatchAnswer): string {
  return errorBodySchema.parse(found.body).error.code;
}

export const createUser = (id: string, email: string, extra: Record<string, unknown> = {}): BatchRequest => ({
  id,
  method: 'POST',
  url: USERS,
  body: { email, ...extra },
});

/** `count` reads of users that do not exist: requests that cost the quota and change nothing. */
export const absentUserReads = (count: number, prefix: string): BatchRequest[] =>
  Array.from({ length: count }, (_, index) => ({
    id: `${prefix}-${index}`,
    method: 'GET',
    url: `${USERS}/u_absent_${index}`,
  }));

/**
 * The quota counts per minute window; starting early in a window keeps a whole test inside one,
 * so the counts it reads are the ones it made.
 */
export async function startOfAQuotaWindow(): Promise<void> {
  const intoMinute = (Date.now() / 1000) % 60;
  if (intoMinute > 40) await sleep((60 - intoMinute) * 1000 + 50);
}
