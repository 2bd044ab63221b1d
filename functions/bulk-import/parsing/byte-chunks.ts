import { Readable } from 'node:stream';

/** A chunk from a byte stream (Node streams type them `any`). */
export function asBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new TypeError(`Expected a byte stream, got a chunk of type ${typeof chunk}`);
}

/** The bytes already taken from `rest`, then the rest of it; ends `rest` when the result is closed early. */
export async function* replay(
  taken: readonly Buffer[],
  rest: AsyncIterator<unknown>,
): AsyncGenerator<Buffer> {
  try {
    yield* taken;
    for (let next = await rest.next(); !next.done; next = await rest.next()) yield asBuffer(next.value);
  } finally {
    await rest.return?.();
  }
}

export function byteStream(chunks: AsyncIterable<Buffer>): Readable {
  return Readable.from(chunks, { objectMode: false });
}
