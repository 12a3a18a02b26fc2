/**
 * Keys with sizes, least recently used first: what a cache bounded by bytes evicts. The cache's
 * values live with its owner; this keeps only the order and the sizes.
 */
export class ByteLru<K> {
  private readonly sizes = new Map<K, number>();
  private total = 0;

  constructor(readonly limitBytes: number) {}

  has(key: K): boolean {
    return this.sizes.has(key);
  }

  /** Adds a key, or marks it most recently used (keeping its size). */
  touch(key: K, bytes: number): void {
    const had = this.sizes.get(key);
    if (had !== undefined) this.sizes.delete(key);
    else this.total += bytes;
    this.sizes.set(key, had ?? bytes);
  }

  delete(key: K): void {
    const had = this.sizes.get(key);
    if (had === undefined) return;
    this.sizes.delete(key);
    this.total -= had;
  }

  get bytes(): number {
    return this.total;
  }

  /** Removes least recently used keys until the total fits the limit, never one of `keep`; returns them. */
  evict(keep: ReadonlySet<K>): K[] {
    const out: K[] = [];
    for (const [key, bytes] of this.sizes) {
      if (this.total <= this.limitBytes) break;
      if (keep.has(key)) continue;
      this.sizes.delete(key);
      this.total -= bytes;
      out.push(key);
    }
    return out;
  }
}
