/** Keys per directory request: DynamoDB's BatchGetItem takes 100 keys. */
export const LOOKUP_CHUNK_SIZE = 100;
/** Requests in flight at once: fast on a big file without throttling the tenant's table. */
export const LOOKUP_CONCURRENCY = 4;

/**
 * Asks `lookup` about every key in chunks, a few chunks at a time, and returns the union of its
 * answers. Keys are drawn from the iterable as chunks are sent, never copied into one array.
 */
export async function lookUpInChunks(
  keys: Iterable<string>,
  lookup: (chunk: readonly string[]) => Promise<ReadonlySet<string>>,
): Promise<Set<string>> {
  const found = new Set<string>();
  const iterator = keys[Symbol.iterator]();
  const nextChunk = (): string[] => {
    const chunk: string[] = [];
    for (let next = iterator.next(); !next.done; next = iterator.next()) {
      chunk.push(next.value);
      if (chunk.length === LOOKUP_CHUNK_SIZE) break;
    }
    return chunk;
  };
  const worker = async () => {
    for (let chunk = nextChunk(); chunk.length > 0; chunk = nextChunk()) {
      for (const key of await lookup(chunk)) found.add(key);
    }
  };
  await Promise.all(Array.from({ length: LOOKUP_CONCURRENCY }, worker));
  return found;
}
