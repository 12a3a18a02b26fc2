/**
 * Keeps the `capacity` smallest items of a stream, for takeOrdered/top: O(log capacity)
 * per push, memory O(capacity) however long the partition.
 */
import { TsparkError } from "../errors.js";

/**
 * The `capacity` smallest items pushed, by `compare`. Ties keep the earliest pushed, and
 * `toSortedArray()` lists equal items in push order, so the result equals
 * `[...all].sort(compare).slice(0, capacity)` with a stable sort (as Python's
 * `heapq.nsmallest`, which PySpark's takeOrdered uses). For `top`, pass a reversed compare.
 *
 * Internally a max-heap of the kept items (root = the worst kept one), with a push counter
 * per item in a parallel array to break ties: a push allocates nothing once full.
 *
 * @example
 * const h = new BoundedHeap<number>(3, (a, b) => a - b);
 * h.pushAll([5, 1, 4, 2, 3]);
 * h.toSortedArray(); // [1, 2, 3]
 */
export class BoundedHeap<T> {
  private readonly items: T[] = [];
  private readonly seqs: number[] = [];
  private pushed = 0;

  constructor(
    readonly capacity: number,
    private readonly compare: (a: T, b: T) => number,
  ) {
    if (!Number.isSafeInteger(capacity) || capacity < 0) {
      throw new TsparkError("INVALID_ARGUMENT", `BoundedHeap capacity must be a non-negative integer, got ${capacity}`);
    }
    if (typeof compare !== "function") throw new TsparkError("INVALID_ARGUMENT", "BoundedHeap needs a compare function");
  }

  /** Number of items kept (at most `capacity`). */
  get size(): number {
    return this.items.length;
  }

  /**
   * Offers one item; it is kept if fewer than `capacity` are held or it is smaller than the
   * largest held (which is then dropped).
   *
   * @example
   * for (const x of partition) heap.push(x);
   */
  push(x: T): void {
    const seq = this.pushed++;
    const items = this.items;
    const n = items.length;
    if (n < this.capacity) {
      items.push(x);
      this.seqs.push(seq);
      this.siftUp(n);
    } else if (n > 0 && this.compare(x, items[0]!) < 0) {
      // Strictly smaller only: an equal newcomer loses to the earlier item (stability).
      items[0] = x;
      this.seqs[0] = seq;
      this.siftDown(0);
    }
  }

  /**
   * Offers every item of `xs`.
   *
   * @example
   * heap.pushAll(otherPartitionResult);
   */
  pushAll(xs: Iterable<T>): void {
    for (const x of xs) this.push(x);
  }

  /**
   * The kept items, smallest first (equal ones in push order). Does not empty the heap.
   *
   * @example
   * return heap.toSortedArray();
   */
  toSortedArray(): T[] {
    const idx = this.items.map((_, i) => i);
    idx.sort((i, j) => this.compare(this.items[i]!, this.items[j]!) || this.seqs[i]! - this.seqs[j]!);
    return idx.map((i) => this.items[i]!);
  }

  /**
   * Drops every item.
   *
   * @example
   * heap.clear();
   */
  clear(): void {
    this.items.length = 0;
    this.seqs.length = 0;
    this.pushed = 0;
  }

  /** Whether item i ranks after item j: greater by compare, or equal and pushed later. */
  private after(i: number, j: number): boolean {
    const c = this.compare(this.items[i]!, this.items[j]!);
    return c > 0 || (c === 0 && this.seqs[i]! > this.seqs[j]!);
  }

  private swap(i: number, j: number): void {
    const items = this.items;
    const seqs = this.seqs;
    const t = items[i]!;
    items[i] = items[j]!;
    items[j] = t;
    const s = seqs[i]!;
    seqs[i] = seqs[j]!;
    seqs[j] = s;
  }

  private siftUp(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.after(i, parent)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(i: number): void {
    const n = this.items.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) return;
      const r = l + 1;
      const largest = r < n && this.after(r, l) ? r : l;
      if (!this.after(largest, i)) return;
      this.swap(i, largest);
      i = largest;
    }
  }
}
