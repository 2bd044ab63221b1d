import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { type FileHandle, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { z } from 'zod';

/** Lines are written in blocks of about this many characters: few system calls, little memory. */
const WRITE_BLOCK = 1 << 20;

/**
 * A JSON-lines file in a scratch directory: validation's first pass appends one entry per row,
 * the second streams them back in order — so a file's rows are never all in memory at once.
 * Entries are re-validated with their schema on the way back in, as anything read from disk is.
 */
export class ScratchFile<Schema extends z.ZodType> {
  private pending: string[] = [];
  private pendingLength = 0;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    private readonly schema: Schema,
  ) {}

  static async create<Schema extends z.ZodType>(
    directory: string,
    schema: Schema,
  ): Promise<ScratchFile<Schema>> {
    const path = join(directory, `validation-${randomUUID()}.jsonl`);
    return new ScratchFile(path, await open(path, 'wx'), schema);
  }

  async append(entry: z.input<Schema>): Promise<void> {
    const line = `${JSON.stringify(entry)}\n`;
    this.pending.push(line);
    this.pendingLength += line.length;
    if (this.pendingLength >= WRITE_BLOCK) await this.flush();
  }

  /** Finishes writing, then yields the entries in the order they were appended. */
  async *entries(): AsyncGenerator<z.output<Schema>> {
    await this.flush();
    const lines = createInterface({
      input: createReadStream(this.path, { encoding: 'utf8' }),
      crlfDelay: Infinity,
    });
    for await (const line of lines) {
      if (line !== '') yield this.schema.parse(JSON.parse(line));
    }
  }

  /** Closes and deletes the file; safe to call more than once. */
  async discard(): Promise<void> {
    this.pending = [];
    await this.handle.close();
    await rm(this.path, { force: true });
  }

  private async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const block = this.pending.join('');
    this.pending = [];
    this.pendingLength = 0;
    await this.handle.write(block);
  }
}
