import { createHash } from 'node:crypto';
import { z } from 'zod';
import { BadRequestError } from '../errors';

const MAX_TOKEN_LENGTH = 1024;

/**
 * The opaque `nextToken` of a listing: a position, and a digest of it that catches a token altered
 * or cut short. The digest is no signature; a forged position can only start the caller's own
 * tenant's listing elsewhere, because the tenant always comes from the caller, never from the token.
 */
export function pageToken<TPosition>(schema: z.ZodType<TPosition>) {
  return {
    encode(position: TPosition): string {
      const payload = JSON.stringify(schema.parse(position));
      return `${Buffer.from(payload).toString('base64url')}.${digest(payload)}`;
    },
    decode(token: string): TPosition {
      const [encoded, check, ...rest] = token.length <= MAX_TOKEN_LENGTH ? token.split('.') : [];
      if (encoded && check && rest.length === 0) {
        const payload = Buffer.from(encoded, 'base64url').toString('utf8');
        if (digest(payload) === check) {
          try {
            const position = schema.safeParse(JSON.parse(payload));
            if (position.success) return position.data;
          } catch {
            // Falls through to the refusal below.
          }
        }
      }
      throw new BadRequestError(
        'INVALID_NEXT_TOKEN',
        'nextToken is not one this listing returned; pass it back unchanged, or leave it out to start over.',
      );
    },
  };
}

function digest(payload: string): string {
  return createHash('sha256').update(payload).digest('base64url').slice(0, 16);
}

/** A page of a listing: follow `nextToken` until it is absent; a page may be short, even empty, and have one. */
export function pageSchema<TItem extends z.ZodType>(item: TItem) {
  return z.object({
    items: z.array(item),
    nextToken: z
      .string()
      .optional()
      .describe('Pass it back unchanged, with the same filters, for the next page.'),
  });
}
