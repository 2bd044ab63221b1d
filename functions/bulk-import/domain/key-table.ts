import { Buffer } from 'node:buffer';

/**
 * Compact storage for what validation remembers per row of a file of up to a million rows. A Map
 * of strings costs some 80 bytes a key on the JavaScript heap, and every major GC walks it; these
 * keep the same facts in typed arrays, off the heap, in a few bytes a key.
 */

/** A growable column of 32-bit integers; an index never written reads as 0. */
export class Int32Column {
  private values: Int32Array;
  /** One past the highest index written. */
  length = 0;

  constructor(initialCapacity = 1024) {
    this.values = new Int32Array(initialCapacity);
  }

  get(index: number): number {
    return index < this.length ? (this.values[index] ?? 0) : 0;
  }

  set(index: number, value: number): void {
    if (index >= this.values.length) {
      const grown = new Int32Array(Math.max(index + 1, this.values.length * 2));
      grown.set(this.values);
      this.values = grown;
    }
    this.values[index] = value;
    if (index >= this.length) this.length = index + 1;
  }

  push(value: number): void {
    this.set(this.length, value);
  }
}

const NO_KEY = -1;
/** Starts a key stored as UTF-16 code units (one with a lone surrogate); never a UTF-8 byte. */
const ILL_FORMED_MARK = 0xff;
// As a signed 32-bit integer, the form Math.imul yields and the slots store.
const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

/**
 * Interns strings: each distinct key gets a dense id (0, 1, 2… in order of first sight), its UTF-8
 * bytes go into one growing buffer, and an open-addressing hash table of ids finds it again.
 * About the key's bytes plus 20 bytes a key (its offset and two slots of id and hash).
 */
export class KeyTable {
  private bytes = Buffer.allocUnsafe(64 * 1024);
  /** Key `id`'s bytes are bytes[offsets[id], offsets[id + 1]); offsets[size] is the bytes used. */
  private offsets = new Int32Array(1024);
  private count = 0;
  /**
   * Linear probing, at most half full: slot i is (id, hash) at [2i, 2i + 1]. The hash is kept
   * beside the id so that probing past other keys reads no bytes of theirs (cache misses, at a
   * million keys, are most of the cost).
   */
  private slots = new Int32Array(2 * 2048).fill(NO_KEY);
  /** The key being looked up, encoded. */
  private encoded = Buffer.allocUnsafe(1024);
  private encodedLength = 0;
  /** The two keys interned last and their ids (fields, not arrays: no allocation per key). */
  private newestKey: string | undefined;
  private newestId = NO_KEY;
  private olderKey: string | undefined;
  private olderId = NO_KEY;

  get size(): number {
    return this.count;
  }

  /** The key's id, or -1 when it was never interned. */
  find(key: string): number {
    return this.slots[2 * this.slotOf(this.encode(key))] ?? NO_KEY;
  }

  /** The key's id, interning it first when it is new. */
  intern(key: string): number {
    // A row's email is interned for its own row and again for its manager reference, and the
    // rows of a team, one after another, name the same manager: the two latest keys answer
    // most lookups without hashing.
    if (key === this.newestKey) return this.newestId;
    if (key === this.olderKey) return this.remember(key, this.olderId);
    const hash = this.encode(key);
    const slot = this.slotOf(hash);
    let id = this.slots[2 * slot] ?? NO_KEY;
    if (id === NO_KEY) {
      id = this.store();
      this.slots[2 * slot] = id;
      this.slots[2 * slot + 1] = hash;
      if (this.count * 4 > this.slots.length) this.growSlots();
    }
    return this.remember(key, id);
  }

  private remember(key: string, id: number): number {
    this.olderKey = this.newestKey;
    this.olderId = this.newestId;
    this.newestKey = key;
    this.newestId = id;
    return id;
  }

  keyOf(id: number): string {
    const start = this.offsets[id] ?? 0;
    const end = this.offsets[id + 1] ?? 0;
    return this.bytes[start] === ILL_FORMED_MARK
      ? this.bytes.toString('utf16le', start + 1, end)
      : this.bytes.toString('utf8', start, end);
  }

  *keys(): Generator<string> {
    for (let id = 0; id < this.count; id++) yield this.keyOf(id);
  }

  /** Encodes the key into `encoded` and returns its FNV-1a hash. */
  private encode(key: string): number {
    if (key.length * 3 + 1 > this.encoded.length) this.encoded = Buffer.allocUnsafe(key.length * 3 + 1);
    const encoded = this.encoded;
    let hash = FNV_OFFSET;
    // Keys are nearly always ASCII: copied code unit by code unit, cheaper than a call to the encoder.
    let length = 0;
    for (; length < key.length; length++) {
      const code = key.charCodeAt(length);
      if (code > 0x7f) break;
      encoded[length] = code;
      hash = Math.imul(hash ^ code, FNV_PRIME);
    }
    if (length < key.length) {
      // UTF-8 turns every lone surrogate into U+FFFD, which would merge distinct keys: such keys
      // are kept as UTF-16 code units instead, after a byte UTF-8 never contains.
      if (key.isWellFormed()) length = encoded.write(key, 0, 'utf8');
      else {
        encoded[0] = ILL_FORMED_MARK;
        length = 1 + encoded.write(key, 1, 'utf16le');
      }
      hash = hashBytes(encoded, 0, length);
    }
    this.encodedLength = length;
    return hash;
  }

  /** The slot holding the encoded key, or the empty slot where it belongs. */
  private slotOf(hash: number): number {
    const { slots, offsets, bytes, encoded } = this;
    const length = this.encodedLength;
    const mask = slots.length / 2 - 1;
    probing: for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const id = slots[2 * slot] ?? NO_KEY;
      if (id === NO_KEY) return slot;
      if (slots[2 * slot + 1] !== hash) continue;
      const start = offsets[id] ?? 0;
      if ((offsets[id + 1] ?? 0) - start !== length) continue;
      for (let index = 0; index < length; index++) {
        if (bytes[start + index] !== encoded[index]) continue probing;
      }
      return slot;
    }
  }

  /** Appends the encoded key's bytes as the next id. */
  private store(): number {
    const length = this.encodedLength;
    const id = this.count;
    const start = this.offsets[id] ?? 0;
    if (start + length > this.bytes.length) {
      // Half as much again, not double: the buffer is most of the table's memory.
      const grown = Buffer.allocUnsafe(Math.max(Math.ceil(this.bytes.length * 1.5), start + length));
      this.bytes.copy(grown, 0, 0, start);
      this.bytes = grown;
    }
    const { bytes, encoded } = this;
    for (let index = 0; index < length; index++) bytes[start + index] = encoded[index] ?? 0;
    if (id + 2 > this.offsets.length) {
      const grown = new Int32Array(this.offsets.length * 2);
      grown.set(this.offsets);
      this.offsets = grown;
    }
    this.offsets[id + 1] = start + length;
    this.count = id + 1;
    return id;
  }

  private growSlots(): void {
    const old = this.slots;
    const slots = new Int32Array(old.length * 2).fill(NO_KEY);
    const mask = slots.length / 2 - 1;
    for (let at = 0; at < old.length; at += 2) {
      const id = old[at] ?? NO_KEY;
      if (id === NO_KEY) continue;
      const hash = old[at + 1] ?? 0;
      let slot = hash & mask;
      while (slots[2 * slot] !== NO_KEY) slot = (slot + 1) & mask;
      slots[2 * slot] = id;
      slots[2 * slot + 1] = hash;
    }
    this.slots = slots;
  }
}

function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let hash = FNV_OFFSET;
  for (let index = start; index < end; index++) hash = Math.imul(hash ^ (bytes[index] ?? 0), FNV_PRIME);
  return hash;
}
