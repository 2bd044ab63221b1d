/**
 * The last `capacity` items pushed, oldest first: a long `npm start` session or a whole integration
 * run keeps recent telemetry at a fixed memory cost. Pushing is O(1), so capturing a line costs
 * the same whether the buffer is full or not.
 */
export class RingBuffer<T> {
  readonly #items: T[] = [];
  /** Where the next item goes once the buffer is full: the slot of the oldest item. */
  #next = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`A ring buffer holds at least one item, got capacity ${capacity}.`);
    }
  }

  push(item: T): void {
    if (this.#items.length < this.capacity) {
      this.#items.push(item);
      return;
    }
    this.#items[this.#next] = item;
    this.#next = (this.#next + 1) % this.capacity;
  }

  get size(): number {
    return this.#items.length;
  }

  /** The items, oldest first. */
  toArray(): T[] {
    return [...this.#items.slice(this.#next), ...this.#items.slice(0, this.#next)];
  }
}
