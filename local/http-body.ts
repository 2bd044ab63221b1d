import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Reads a request body up to `maxBytes`. A larger one — by its declared length, or once the
 * bytes received pass the limit — yields `undefined` without buffering the rest: the caller
 * answers at once, with `discardRestOfBody`.
 */
export function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        request.off('data', onData);
        request.off('end', onEnd);
        request.pause();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => resolve(Buffer.concat(chunks));
    request.on('data', onData);
    request.once('end', onEnd);
    request.once('error', reject);
  });
}

/** How long a client still sending a refused body may go on before its connection is dropped. */
const DISCARD_GRACE_MS = 5_000;

/**
 * For an answer sent before the body was read. Closing the connection at once would make the
 * kernel reset it while the client is still sending, and the client would see the reset instead
 * of the answer; so the rest of the body is discarded (never buffered), for a short grace period
 * only.
 */
export function discardRestOfBody(request: IncomingMessage, response: ServerResponse): void {
  response.once('finish', () => {
    if (request.complete) return;
    const timer = setTimeout(() => request.socket.destroy(), DISCARD_GRACE_MS).unref();
    request.once('end', () => clearTimeout(timer));
    request.resume();
  });
}
