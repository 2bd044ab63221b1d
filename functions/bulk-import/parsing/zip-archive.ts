import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import { crc32, createInflateRaw } from 'node:zlib';
import { asBuffer } from './byte-chunks';
import { FileRejectedError } from './sheet-record';

/** One file of a zip archive, as its central directory describes it. */
export interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly encrypted: boolean;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly localHeaderOffset: number;
}

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const ZIP64_END_LOCATOR = 0x07064b50;
const ZIP64_END_OF_CENTRAL_DIRECTORY = 0x06064b50;
const CENTRAL_DIRECTORY_HEADER = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;
const ZIP64_EXTRA_FIELD = 0x0001;
const STORED = 0;
const DEFLATED = 8;
const UTF8_NAMES = 0x0800;
const MAX_COMMENT = 0xffff;

/**
 * A zip archive on disk, read through its central directory, the one authoritative list of
 * entries and of the sizes they claim (it sits at the end of the file, hence a file and not a
 * stream). Inflating an entry checks it against those claims: more bytes than the entry declares,
 * fewer, or a different CRC → CORRUPT_FILE. With the declared sizes checked against a budget
 * before anything is inflated, that bounds what an archive can make us inflate, whatever it
 * claims (zip bombs).
 */
export class ZipArchive {
  private constructor(
    private readonly path: string,
    private readonly entries: ReadonlyMap<string, ZipEntry>,
  ) {}

  static async open(path: string): Promise<ZipArchive> {
    const handle = await open(path, 'r');
    try {
      const { size } = await handle.stat();
      const read = async (position: number, length: number): Promise<Buffer> => {
        if (position < 0 || position + length > size)
          throw new RangeError('zip structure points outside the file');
        const buffer = Buffer.alloc(length);
        await handle.read(buffer, 0, length, position);
        return buffer;
      };
      const entries = new Map<string, ZipEntry>();
      for (const entry of await readCentralDirectory(read, size)) {
        if (entries.has(entry.name)) throw new RangeError(`zip lists ${entry.name} twice`);
        entries.set(entry.name, entry);
      }
      return new ZipArchive(path, entries);
    } catch (error) {
      if (error instanceof RangeError) throw damaged(error);
      throw error;
    } finally {
      await handle.close();
    }
  }

  get names(): Iterable<string> {
    return this.entries.keys();
  }

  entry(name: string): ZipEntry | undefined {
    return this.entries.get(name);
  }

  /** The entry's content, checked against its declared size and CRC as it streams. */
  async *inflate(entry: ZipEntry): AsyncGenerator<Buffer> {
    if (entry.encrypted) {
      throw new FileRejectedError(
        'ENCRYPTED_WORKBOOK',
        'The file is a password-protected zip archive, so it cannot be read.',
        'Save the workbook from Excel without a password and upload it again.',
      );
    }
    if (entry.method !== STORED && entry.method !== DEFLATED) {
      throw damaged(
        new RangeError(`${entry.name} uses compression method ${entry.method}, which Excel never writes`),
      );
    }
    let produced = 0;
    let checksum = 0;
    try {
      for await (const chunk of await this.rawContent(entry)) {
        const bytes = asBuffer(chunk);
        produced += bytes.length;
        if (produced > entry.uncompressedSize)
          throw new RangeError(`${entry.name} inflates past its declared size`);
        checksum = crc32(bytes, checksum);
        yield bytes;
      }
      if (produced !== entry.uncompressedSize) throw new RangeError(`${entry.name} is shorter than declared`);
      if (checksum !== entry.crc32) throw new RangeError(`${entry.name} fails its CRC check`);
    } catch (error) {
      if (error instanceof RangeError || isZlibError(error)) throw damaged(error);
      throw error;
    }
  }

  private async rawContent(entry: ZipEntry): Promise<AsyncIterable<unknown> | Iterable<unknown>> {
    if (entry.compressedSize === 0) return [];
    const handle = await open(this.path, 'r');
    let header: Buffer;
    try {
      header = Buffer.alloc(30);
      await handle.read(header, 0, header.length, entry.localHeaderOffset);
    } finally {
      await handle.close();
    }
    if (header.readUInt32LE(0) !== LOCAL_FILE_HEADER)
      throw new RangeError(`${entry.name} has no local header`);
    const start = entry.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
    const compressed = createReadStream(this.path, { start, end: start + entry.compressedSize - 1 });
    if (entry.method === STORED) return compressed;
    // Errors on either side reach the reader through the inflater, which pipeline destroys.
    return pipeline(compressed, createInflateRaw(), () => undefined);
  }
}

type ReadAt = (position: number, length: number) => Promise<Buffer>;

async function readCentralDirectory(read: ReadAt, size: number): Promise<ZipEntry[]> {
  const tailLength = Math.min(size, 22 + MAX_COMMENT);
  const tail = await read(size - tailLength, tailLength);
  const endAt = lastIndexOfSignature(tail, END_OF_CENTRAL_DIRECTORY);
  if (endAt === -1) throw new RangeError('no end of central directory');
  let count = tail.readUInt16LE(endAt + 10);
  let directorySize = tail.readUInt32LE(endAt + 12);
  let directoryOffset = tail.readUInt32LE(endAt + 16);
  if (count === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
    const locatorAt = endAt - 20;
    if (locatorAt < 0 || tail.readUInt32LE(locatorAt) !== ZIP64_END_LOCATOR)
      throw new RangeError('no zip64 locator');
    const zip64 = await read(Number(tail.readBigUInt64LE(locatorAt + 8)), 56);
    if (zip64.readUInt32LE(0) !== ZIP64_END_OF_CENTRAL_DIRECTORY) throw new RangeError('no zip64 end record');
    count = Number(zip64.readBigUInt64LE(32));
    directorySize = Number(zip64.readBigUInt64LE(40));
    directoryOffset = Number(zip64.readBigUInt64LE(48));
  }
  const directory = await read(directoryOffset, directorySize);
  const entries: ZipEntry[] = [];
  let at = 0;
  for (let index = 0; index < count; index++) {
    if (directory.readUInt32LE(at) !== CENTRAL_DIRECTORY_HEADER)
      throw new RangeError('bad central directory');
    const flags = directory.readUInt16LE(at + 8);
    const nameLength = directory.readUInt16LE(at + 28);
    const extraLength = directory.readUInt16LE(at + 30);
    const commentLength = directory.readUInt16LE(at + 32);
    const nameEnd = at + 46 + nameLength;
    if (nameEnd + extraLength > directory.length) throw new RangeError('bad central directory');
    const sizes = zip64Sizes(directory.subarray(nameEnd, nameEnd + extraLength), {
      uncompressedSize: directory.readUInt32LE(at + 24),
      compressedSize: directory.readUInt32LE(at + 20),
      localHeaderOffset: directory.readUInt32LE(at + 42),
    });
    entries.push({
      name: directory.toString((flags & UTF8_NAMES) !== 0 ? 'utf8' : 'latin1', at + 46, nameEnd),
      method: directory.readUInt16LE(at + 10),
      encrypted: (flags & 1) !== 0,
      crc32: directory.readUInt32LE(at + 16),
      ...sizes,
    });
    at = nameEnd + extraLength + commentLength;
  }
  return entries;
}

type EntrySizes = Pick<ZipEntry, 'uncompressedSize' | 'compressedSize' | 'localHeaderOffset'>;

/** ZIP64 keeps the values its 32-bit fields could not hold, in this order, in an extra field. */
function zip64Sizes(extra: Buffer, sizes: EntrySizes): EntrySizes {
  const overflowing = (['uncompressedSize', 'compressedSize', 'localHeaderOffset'] as const).filter(
    (field) => sizes[field] === 0xffffffff,
  );
  if (overflowing.length === 0) return sizes;
  for (let at = 0; at + 4 <= extra.length; at += 4 + extra.readUInt16LE(at + 2)) {
    if (extra.readUInt16LE(at) !== ZIP64_EXTRA_FIELD) continue;
    const widened = { ...sizes };
    overflowing.forEach((field, index) => {
      widened[field] = Number(extra.readBigUInt64LE(at + 4 + index * 8));
    });
    return widened;
  }
  throw new RangeError('zip64 sizes missing');
}

function lastIndexOfSignature(bytes: Buffer, signature: number): number {
  for (let at = bytes.length - 22; at >= 0; at--) {
    if (bytes.readUInt32LE(at) === signature) return at;
  }
  return -1;
}

function isZlibError(error: unknown): boolean {
  return (
    error instanceof Error && 'code' in error && typeof error.code === 'string' && error.code.startsWith('Z_')
  );
}

function damaged(cause: unknown): FileRejectedError {
  const error = new FileRejectedError(
    'CORRUPT_FILE',
    'The file is damaged: it is not a complete Excel workbook (it may have been cut off or altered).',
    'The file is damaged; open it in Excel and save it again as .xlsx (or as CSV UTF-8), then upload the new file.',
  );
  error.cause = cause;
  return error;
}

/**
 * The local header of an uncompressed entry, for building an archive that holds just the parts a
 * reader should see, already inflated and checked.
 */
export function storedEntryHeader(name: string, size: number, checksum: number): Buffer {
  const nameBytes = Buffer.from(name, 'utf8');
  const header = Buffer.alloc(30 + nameBytes.length);
  header.writeUInt32LE(LOCAL_FILE_HEADER, 0);
  header.writeUInt16LE(20, 4);
  header.writeUInt16LE(UTF8_NAMES, 6);
  header.writeUInt16LE(STORED, 8);
  header.writeUInt32LE(checksum, 14);
  header.writeUInt32LE(size, 18);
  header.writeUInt32LE(size, 22);
  header.writeUInt16LE(nameBytes.length, 26);
  nameBytes.copy(header, 30);
  return header;
}

/** An end-of-central-directory record listing nothing: enough for a reader that streams entries. */
export function endOfArchive(): Buffer {
  const record = Buffer.alloc(22);
  record.writeUInt32LE(END_OF_CENTRAL_DIRECTORY, 0);
  return record;
}
