/**
 * The one bounded map of the node: at most `max` entries, the least recently used one evicted
 * first. A cache belongs to the instance that fills it (the API's mailbox addresses, a crypto
 * backend's imported keys), or to a module when it remembers a pure function (mailbox keys).
 */
const NONE: unique symbol = Symbol("none");

export class LruMap<K, V> {
  private readonly entries = new Map<K, V>();
  /** The key inserted last. A hot path asks for the same key many times in a row; it stays put. */
  private newest: K | typeof NONE = NONE;

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`max must be a positive integer, got ${max}`);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The value, now the most recently used; undefined when absent. */
  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value === undefined || key === this.newest) return value;
    // A Map iterates in insertion order: re-inserting makes the key the newest.
    this.entries.delete(key);
    this.entries.set(key, value);
    this.newest = key;
    return value;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    this.newest = key;
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value as K);
  }
}
