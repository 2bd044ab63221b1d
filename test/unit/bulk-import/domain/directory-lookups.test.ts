import { describe, expect, it } from 'vitest';
import {
  LOOKUP_CHUNK_SIZE,
  LOOKUP_CONCURRENCY,
  lookUpInChunks,
} from '../../../../functions/bulk-import/domain/directory-lookups';

describe('lookUpInChunks', () => {
  it('asks about every key once, in chunks, a few at a time, and unions the answers', async () => {
    const keys = Array.from({ length: 1234 }, (_, index) => `k${index}`);
    const asked: string[][] = [];
    let inFlight = 0;
    let mostInFlight = 0;
    const found = await lookUpInChunks(keys, async (chunk) => {
      asked.push([...chunk]);
      inFlight += 1;
      mostInFlight = Math.max(mostInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 1));
      inFlight -= 1;
      return new Set(chunk.filter((key) => key.endsWith('7')));
    });
    expect(asked.every((chunk) => chunk.length <= LOOKUP_CHUNK_SIZE)).toBe(true);
    expect(asked.flat().sort()).toEqual([...keys].sort());
    expect(mostInFlight).toBe(LOOKUP_CONCURRENCY);
    expect(found).toEqual(new Set(keys.filter((key) => key.endsWith('7'))));
  });

  it('asks nothing for no keys', async () => {
    let calls = 0;
    expect(
      await lookUpInChunks([], async () => {
        calls += 1;
        return new Set();
      }),
    ).toEqual(new Set());
    expect(calls).toBe(0);
  });

  it('fails when a lookup fails', async () => {
    await expect(
      lookUpInChunks(['a'], async () => {
        throw new Error('throttled');
      }),
    ).rejects.toThrow('throttled');
  });
});
