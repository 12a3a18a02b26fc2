/**
 * Where a persisted RDD's partitions are kept (PySpark's StorageLevel). Replication
 * (`_2` levels) is accepted and meaningful only with more than one host.
 */
export class StorageLevel {
  /**
   * A level from its flags: `(useDisk, useMemory, useOffHeap, deserialized, replication)`, as PySpark's.
   *
   * @param useDisk Partitions may be written to disk.
   * @param useMemory Partitions are kept in memory.
   * @param useOffHeap Off-heap memory (accepted; treated as memory).
   * @param deserialized Kept as objects rather than bytes.
   * @param replication Copies to keep (meaningful with more than one host).
   *
   * @example
   * ```ts
   * const level = new StorageLevel(true, true, false, true, 1);
   * level.equals(StorageLevel.MEMORY_AND_DISK); // → true
   * await sc.parallelize([1, 2]).persist(level).count(); // → 2
   * ```
   */
  constructor(
    readonly useDisk: boolean,
    readonly useMemory: boolean,
    readonly useOffHeap: boolean,
    readonly deserialized: boolean,
    readonly replication = 1,
  ) {}

  /** Not persisted. */
  static readonly NONE = new StorageLevel(false, false, false, false);
  /** Partitions on disk only (in the application directory, readable by every worker). */
  static readonly DISK_ONLY = new StorageLevel(true, false, false, false);
  /** DISK_ONLY, replicated twice (the same as DISK_ONLY on one machine). */
  static readonly DISK_ONLY_2 = new StorageLevel(true, false, false, false, 2);
  /** DISK_ONLY, replicated three times (the same as DISK_ONLY on one machine). */
  static readonly DISK_ONLY_3 = new StorageLevel(true, false, false, false, 3);
  /** Partitions kept in the computing worker's memory; evicted ones are recomputed (cache()). */
  static readonly MEMORY_ONLY = new StorageLevel(false, true, false, true);
  /** MEMORY_ONLY, replicated twice (the same as MEMORY_ONLY on one machine). */
  static readonly MEMORY_ONLY_2 = new StorageLevel(false, true, false, true, 2);
  /** In memory; partitions evicted from memory go to disk. */
  static readonly MEMORY_AND_DISK = new StorageLevel(true, true, false, true);
  /** MEMORY_AND_DISK, replicated twice (the same as MEMORY_AND_DISK on one machine). */
  static readonly MEMORY_AND_DISK_2 = new StorageLevel(true, true, false, true, 2);
  /** MEMORY_AND_DISK with deserialized values in memory (PySpark's name; the same as MEMORY_AND_DISK). */
  static readonly MEMORY_AND_DISK_DESER = new StorageLevel(true, true, false, true);
  /** Off-heap storage (accepted for PySpark compatibility; kept as MEMORY_AND_DISK). */
  static readonly OFF_HEAP = new StorageLevel(true, true, true, false);

  /**
   * Same flags and replication.
   *
   * @example
   * ```ts
   * StorageLevel.MEMORY_AND_DISK.equals(new StorageLevel(true, true, false, true)); // → true
   * StorageLevel.MEMORY_ONLY.equals(StorageLevel.DISK_ONLY); // → false
   * ```
   */
  equals(other: unknown): boolean {
    return other instanceof StorageLevel && other.useDisk === this.useDisk && other.useMemory === this.useMemory &&
      other.useOffHeap === this.useOffHeap && other.deserialized === this.deserialized && other.replication === this.replication;
  }

  /**
   * e.g. "Memory Deserialized 1x Replicated", as PySpark prints it.
   *
   * @example
   * ```ts
   * StorageLevel.MEMORY_ONLY.toString(); // → "Memory Deserialized 1x Replicated"
   * String(StorageLevel.DISK_ONLY_2); // → "Disk Serialized 2x Replicated"
   * ```
   */
  toString(): string {
    const parts: string[] = [];
    if (this.useDisk) parts.push("Disk");
    if (this.useMemory) parts.push("Memory");
    if (this.useOffHeap) parts.push("OffHeap");
    parts.push(this.deserialized ? "Deserialized" : "Serialized");
    parts.push(`${this.replication}x Replicated`);
    return parts.join(" ");
  }
}
