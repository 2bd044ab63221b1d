import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { type FileHandle, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';

/**
 * Lines are written in blocks of about this many characters: few system calls, and few enough
 * lines waiting that they die young (a bigger block keeps them alive into the old generation,
 * which then needs full collections).
 */
const WRITE_BLOCK = 1 << 16;
const READ_BLOCK = 1 << 16;

/**
 * A file of lines written in blocks and read back in order: validation's output (the valid rows)
 * and its scratch files, so a file's rows are never all in memory at once. Lines never contain a
 * line break (JSON never does).
 */
export class LinesFile {
  private pending: string[] = [];
  private pendingLength = 0;
  private writing: Promise<void> = Promise.resolve();
  private writeFailure: unknown;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
  ) {}

  /** A new file at `path`, replacing any file there. */
  static async create(path: string): Promise<LinesFile> {
    return new LinesFile(path, await open(path, 'w'));
  }

  /** A new file of a unique name in a scratch directory. */
  static async createIn(directory: string): Promise<LinesFile> {
    const path = join(directory, `validation-${randomUUID()}.jsonl`);
    return new LinesFile(path, await open(path, 'wx'));
  }

  /**
   * Queues a line; true when a block is full and `flush()` should be awaited before the next (as
   * a stream's `write` asks for a drain), so that appending costs no promise per row.
   */
  append(line: string): boolean {
    this.pending.push(line, '\n');
    this.pendingLength += line.length + 1;
    return this.pendingLength >= WRITE_BLOCK;
  }

  /**
   * Hands the queued lines to the file system and returns once the previous block is written:
   * one write stays in flight while the next block fills, so validation never waits on the disk.
   */
  async flush(): Promise<void> {
    await this.settle();
    if (this.pending.length === 0) return;
    const block = this.pending.join('');
    this.pending = [];
    this.pendingLength = 0;
    this.writing = this.writeAll(Buffer.from(block, 'utf8')).then(
      () => undefined,
      (error: unknown) => {
        this.writeFailure ??= error;
      },
    );
  }

  /** A write may take only part of the bytes (a full disk): the rest is written until it fails. */
  private async writeAll(bytes: Buffer): Promise<void> {
    for (let offset = 0; offset < bytes.length; ) {
      const { bytesWritten } = await this.handle.write(bytes, offset);
      if (bytesWritten === 0) throw new Error(`Nothing more could be written to ${this.path}.`);
      offset += bytesWritten;
    }
  }

  /** Waits for the write in flight; rethrows its failure. */
  private async settle(): Promise<void> {
    await this.writing;
    if (this.writeFailure !== undefined) throw this.writeFailure;
  }

  /** Finishes writing, then yields the lines in the order they were appended, a block at a time. */
  async *blocks(): AsyncGenerator<readonly string[]> {
    await this.flush();
    await this.settle();
    let partial = '';
    for await (const chunk of createReadStream(this.path, { encoding: 'utf8', highWaterMark: READ_BLOCK })) {
      const lines = `${partial}${chunk}`.split('\n');
      partial = lines.pop() ?? '';
      yield lines;
    }
    if (partial !== '') throw new Error(`The scratch file ${this.path} ends in the middle of a line.`);
  }

  /** Finishes writing and closes the file; safe to call more than once. */
  async close(): Promise<void> {
    await this.flush();
    await this.settle();
    await this.handle.close();
  }

  /** Closes and deletes the file; safe to call more than once. */
  async discard(): Promise<void> {
    this.pending = [];
    await this.writing;
    await this.handle.close();
    await rm(this.path, { force: true });
  }
}

/**
 * A JSON-lines scratch file of entries, re-validated with their schema on the way back in, as
 * anything read from disk is.
 */
export class ScratchFile<Schema extends z.ZodType> {
  private constructor(
    private readonly lines: LinesFile,
    private readonly schema: Schema,
  ) {}

  static async create<Schema extends z.ZodType>(
    directory: string,
    schema: Schema,
  ): Promise<ScratchFile<Schema>> {
    return new ScratchFile(await LinesFile.createIn(directory), schema);
  }

  get path(): string {
    return this.lines.path;
  }

  /** Queues an entry; true when `flush()` should be awaited before the next. */
  append(entry: z.input<Schema>): boolean {
    return this.lines.append(JSON.stringify(entry));
  }

  flush(): Promise<void> {
    return this.lines.flush();
  }

  /** Finishes writing, then yields the entries in the order they were appended. */
  async *entries(): AsyncGenerator<z.output<Schema>> {
    for await (const block of this.lines.blocks()) {
      for (const line of block) yield this.schema.parse(JSON.parse(line));
    }
  }

  discard(): Promise<void> {
    return this.lines.discard();
  }
}
