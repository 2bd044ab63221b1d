import { z } from 'zod';
import type { HttpReply } from './reply';

const headerValue = z.union([z.string(), z.number(), z.boolean()]);

/** What API Gateway accepts from a proxy integration; anything else is its 502 "malformed response". */
const proxyResultSchema = z.object({
  statusCode: z.number().int().min(100).max(599),
  headers: z.record(z.string(), headerValue).nullish(),
  multiValueHeaders: z.record(z.string(), z.array(headerValue)).nullish(),
  body: z.string().nullish(),
  isBase64Encoded: z.boolean().nullish(),
});

/**
 * Turns a handler's result into the HTTP answer, or `undefined` when API Gateway would reject it.
 * `headers` and `multiValueHeaders` are merged as API Gateway does: a value given in both is sent once.
 */
export function replyFromProxyResult(result: unknown): HttpReply | undefined {
  const parsed = proxyResultSchema.safeParse(result);
  if (!parsed.success) return undefined;
  const { statusCode, headers, multiValueHeaders, body, isBase64Encoded } = parsed.data;

  const merged: Record<string, string[]> = {};
  const add = (name: string, value: string | number | boolean) => {
    const values = merged[name.toLowerCase()] ?? [];
    if (!values.includes(String(value))) merged[name.toLowerCase()] = [...values, String(value)];
  };
  for (const [name, values] of Object.entries(multiValueHeaders ?? {}))
    for (const value of values) add(name, value);
  for (const [name, value] of Object.entries(headers ?? {})) add(name, value);

  return {
    statusCode,
    headers: merged,
    body: Buffer.from(body ?? '', isBase64Encoded ? 'base64' : 'utf8'),
  };
}
