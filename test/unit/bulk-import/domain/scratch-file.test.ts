import { appendFile, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ScratchFile } from '../../../../functions/bulk-import/domain/scratch-file';
import { scratchDir, scratchFiles } from './validation-fixtures';

const entrySchema = z.object({ row: z.number().int(), name: z.string().optional() });

async function collect<Item>(items: AsyncIterable<Item>): Promise<Item[]> {
  const collected: Item[] = [];
  for await (const item of items) collected.push(item);
  return collected;
}

describe('ScratchFile', () => {
  it('gives back what was appended, in order, across write blocks', async () => {
    const dir = await scratchDir();
    const scratch = await ScratchFile.create(dir, entrySchema);
    const name = 'x'.repeat(1000);
    for (let row = 0; row < 3000; row++) if (scratch.append({ row, name })) await scratch.flush();
    const entries = await collect(scratch.entries());
    expect(entries).toHaveLength(3000);
    expect(entries.every((entry, index) => entry.row === index && entry.name === name)).toBe(true);
    expect((await readFile(scratch.path, 'utf8')).split('\n')).toHaveLength(3001);
    await scratch.discard();
  });

  it('re-validates what it reads back', async () => {
    const dir = await scratchDir();
    const scratch = await ScratchFile.create(dir, entrySchema);
    scratch.append({ row: 1 });
    await collect(scratch.entries());
    await appendFile(scratch.path, '{"row":"two"}\n');
    await expect(collect(scratch.entries())).rejects.toThrow();
    await scratch.discard();
  });

  it('is deleted by discard, which may be called twice', async () => {
    const dir = await scratchDir();
    const scratch = await ScratchFile.create(dir, entrySchema);
    scratch.append({ row: 1 });
    expect(await scratchFiles(dir)).toHaveLength(1);
    await scratch.discard();
    await scratch.discard();
    expect(await scratchFiles(dir)).toEqual([]);
  });

  it('never reuses a name', async () => {
    const dir = await scratchDir();
    const first = await ScratchFile.create(dir, entrySchema);
    const second = await ScratchFile.create(dir, entrySchema);
    expect(first.path).not.toBe(second.path);
    await first.discard();
    await second.discard();
  });
});
