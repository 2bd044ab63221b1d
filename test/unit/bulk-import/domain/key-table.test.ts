import { describe, expect, it } from 'vitest';
import { Int32Column, KeyTable } from '../../../../functions/bulk-import/domain/key-table';

describe('KeyTable', () => {
  it('gives each distinct key a dense id in order of first sight, and finds it again', () => {
    const table = new KeyTable();
    expect(table.intern('b@example.com')).toBe(0);
    expect(table.intern('a@example.com')).toBe(1);
    expect(table.intern('b@example.com')).toBe(0);
    expect(table.find('a@example.com')).toBe(1);
    expect(table.find('c@example.com')).toBe(-1);
    expect(table.size).toBe(2);
    expect([...table.keys()]).toEqual(['b@example.com', 'a@example.com']);
  });

  it('tells apart keys that share a prefix or differ only in length', () => {
    const table = new KeyTable();
    const keys = ['', 'a', 'ab', 'abc', 'abd', 'abcd'];
    for (const key of keys) table.intern(key);
    expect(keys.map((key) => table.find(key))).toEqual([0, 1, 2, 3, 4, 5]);
    expect(keys.map((_, id) => table.keyOf(id))).toEqual(keys);
  });

  it('keeps non-ASCII keys byte for byte, and does not confuse them with look-alikes', () => {
    const table = new KeyTable();
    const composed = 'zoë';
    const decomposed = 'zoe\u0308';
    const long = `${'ü'.repeat(2000)}😀`;
    table.intern(composed);
    table.intern(decomposed);
    table.intern(long);
    expect(table.find(composed)).toBe(0);
    expect(table.find(decomposed)).toBe(1);
    expect(table.find('zoe')).toBe(-1);
    expect(table.keyOf(2)).toBe(long);
  });

  it('keeps keys with lone surrogates apart from each other and from their U+FFFD look-alike', () => {
    const table = new KeyTable();
    const keys = ['X\uD800', 'X\uDC00', 'X\uFFFD', 'X\uD83D\uDE00'];
    for (const key of keys) table.intern(key);
    expect(keys.map((key) => table.find(key))).toEqual([0, 1, 2, 3]);
    expect(keys.map((_, id) => table.keyOf(id))).toEqual(keys);
  });

  it('stays exact across many growths of its buffer and hash table', () => {
    const table = new KeyTable();
    const count = 200_000;
    for (let index = 0; index < count; index++) expect(table.intern(`user${index}@example.com`)).toBe(index);
    for (let index = 0; index < count; index += 997) {
      expect(table.find(`user${index}@example.com`)).toBe(index);
      expect(table.keyOf(index)).toBe(`user${index}@example.com`);
    }
    expect(table.find(`user${count}@example.com`)).toBe(-1);
    expect(table.size).toBe(count);
  });

  it('answers a repeated intern of the same key with the same id (the one-entry cache)', () => {
    const table = new KeyTable();
    table.intern('x');
    expect(table.intern('y')).toBe(1);
    expect(table.intern('y')).toBe(1);
    expect(table.intern('x')).toBe(0);
  });

  it('answers keys that alternate with others (a manager between row emails) with their own ids', () => {
    const table = new KeyTable();
    const sequence = ['a', 'a', 'boss', 'b', 'b', 'boss', 'c', 'c', 'chief', 'boss', 'a'];
    expect(sequence.map((key) => table.intern(key))).toEqual([0, 0, 1, 2, 2, 1, 3, 3, 4, 1, 0]);
  });
});

describe('Int32Column', () => {
  it('reads 0 where nothing was written and grows to any index', () => {
    const column = new Int32Column(2);
    column.push(7);
    column.set(10_000, -3);
    expect(column.get(0)).toBe(7);
    expect(column.get(5)).toBe(0);
    expect(column.get(10_000)).toBe(-3);
    expect(column.get(10_001)).toBe(0);
    expect(column.length).toBe(10_001);
  });
});
