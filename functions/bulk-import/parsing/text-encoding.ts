import { isUtf8 } from 'node:buffer';
import type { Readable } from 'node:stream';
import { asBuffer } from './byte-chunks';
import { FileRejectedError } from './sheet-record';

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const UTF16LE_BOM = Buffer.from([0xff, 0xfe]);
const UTF16BE_BOM = Buffer.from([0xfe, 0xff]);
const UTF32LE_BOM = Buffer.from([0xff, 0xfe, 0x00, 0x00]);
const UTF32BE_BOM = Buffer.from([0x00, 0x00, 0xfe, 0xff]);

export const SAVE_AS_CSV_UTF8 =
  'In Excel choose File › Save As › CSV UTF-8 (Comma delimited) (*.csv), then upload the new file.';

/**
 * Text of an upload as UTF-8 bytes, for a parser that works on bytes: UTF-8 (with or without a
 * BOM, which is dropped) passes through as it came; UTF-16 with a BOM (Excel's "Unicode text") is
 * transcoded as it streams. Anything else is refused with UNSUPPORTED_ENCODING, except that bytes
 * that are not UTF-8 are only noted here (`sawInvalidUtf8`): the parser turns them into U+FFFD,
 * which lets the reader name the first row they are on.
 */
export class Utf8Text {
  sawInvalidUtf8 = false;

  constructor(private readonly body: Readable) {}

  async *chunks(): AsyncGenerator<Buffer> {
    const chunks = this.body[Symbol.asyncIterator]();
    try {
      const taken: Buffer[] = [];
      let length = 0;
      while (length < UTF32LE_BOM.length) {
        const next = await chunks.next();
        if (next.done) break;
        const chunk = asBuffer(next.value);
        taken.push(chunk);
        length += chunk.length;
      }
      const head = Buffer.concat(taken, length);
      const rest = remaining(chunks);
      if (startsWith(head, UTF32LE_BOM) || startsWith(head, UTF32BE_BOM)) throw utf32();
      if (startsWith(head, UTF16LE_BOM)) {
        yield* transcoded('utf-16le', head, rest);
      } else if (startsWith(head, UTF16BE_BOM)) {
        yield* transcoded('utf-16be', head, rest);
      } else {
        yield* this.validated(startsWith(head, UTF8_BOM) ? head.subarray(UTF8_BOM.length) : head, rest);
      }
    } finally {
      await chunks.return?.();
    }
  }

  private async *validated(first: Buffer, rest: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    let pending = Buffer.alloc(0);
    let empty = true;
    for await (const chunk of prepend(first, rest)) {
      if (chunk.length === 0) continue;
      empty = false;
      if (chunk.includes(0)) throw nulCharacters();
      // A character split between two chunks is checked once its end arrives.
      const bytes = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
      const cut = bytes.length - incompleteTailLength(bytes);
      if (!this.sawInvalidUtf8 && !isUtf8(bytes.subarray(0, cut))) this.sawInvalidUtf8 = true;
      pending = Buffer.from(bytes.subarray(cut));
      yield chunk;
    }
    if (empty) throw emptyText();
    if (pending.length > 0) this.sawInvalidUtf8 = true;
  }
}

async function* transcoded(
  encoding: 'utf-16le' | 'utf-16be',
  first: Buffer,
  rest: AsyncIterable<Buffer>,
): AsyncGenerator<Buffer> {
  // The decoder drops the BOM itself; `fatal` turns a lone surrogate into an error, not U+FFFD.
  const decoder = new TextDecoder(encoding, { fatal: true });
  let empty = true;
  const decode = (chunk?: Buffer): Buffer => {
    let text: string;
    try {
      text = chunk ? decoder.decode(chunk, { stream: true }) : decoder.decode();
    } catch {
      throw new FileRejectedError(
        'UNSUPPORTED_ENCODING',
        'The file is marked as UTF-16 text but contains bytes that are not UTF-16.',
        SAVE_AS_CSV_UTF8,
      );
    }
    if (text.includes('\0')) throw nulCharacters();
    if (text.length > 0) empty = false;
    return Buffer.from(text, 'utf8');
  };
  for await (const chunk of prepend(first, rest)) {
    const bytes = decode(chunk);
    if (bytes.length > 0) yield bytes;
  }
  const last = decode();
  if (last.length > 0) yield last;
  if (empty) throw emptyText();
}

/** How many bytes at the end start a UTF-8 sequence the chunk does not finish. */
export function incompleteTailLength(bytes: Buffer): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back] ?? 0;
    if ((byte & 0xc0) === 0x80) continue;
    const sequenceLength = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return sequenceLength > back ? back : 0;
  }
  return 0;
}

async function* remaining(chunks: AsyncIterator<unknown>): AsyncGenerator<Buffer> {
  for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield asBuffer(next.value);
}

async function* prepend(first: Buffer, rest: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  yield first;
  yield* rest;
}

function startsWith(bytes: Buffer, prefix: Buffer): boolean {
  return bytes.length >= prefix.length && bytes.subarray(0, prefix.length).equals(prefix);
}

function emptyText(): FileRejectedError {
  return new FileRejectedError(
    'EMPTY_FILE',
    'The file is empty.',
    'Fill in the template and upload it again.',
  );
}

function utf32(): FileRejectedError {
  return new FileRejectedError(
    'UNSUPPORTED_ENCODING',
    'The file is UTF-32 text, which is not accepted.',
    SAVE_AS_CSV_UTF8,
  );
}

function nulCharacters(): FileRejectedError {
  return new FileRejectedError(
    'UNSUPPORTED_ENCODING',
    'The file contains NUL characters, which text never does: it is UTF-16 text without a byte order mark, or not text at all.',
    SAVE_AS_CSV_UTF8,
  );
}
