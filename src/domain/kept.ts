/**
 * The caches of derived values: a map that keeps at most `max` entries, dropping the oldest first,
 * and that empties itself when the version its values were derived under moves (an index epoch, a
 * store's change token). Pure: callers say what the version is.
 */
export class KeptMap<K, V> {
  private readonly entries = new Map<K, V>();
  private version: unknown;
  private versioned = false;

  constructor(private readonly max: number) {}

  /** The map for values derived under `version`: emptied when it differs from the last one given. */
  at(version: unknown): this {
    if (!this.versioned || version !== this.version) {
      this.entries.clear();
      this.version = version;
      this.versioned = true;
    }
    return this;
  }

  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  /** Keeps a value, dropping the oldest entry when full. */
  set(key: K, value: V): void {
    if (!this.entries.has(key) && this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, value);
  }

  /** The kept values, oldest first. */
  values(): IterableIterator<V> {
    return this.entries.values();
  }

  get size(): number {
    return this.entries.size;
  }
}
