/**
 * Where a persisted RDD's partitions are kept (PySpark's StorageLevel). Replication
 * (`_2` levels) is accepted and meaningful only with more than one host.
 */
export class StorageLevel {
  /**
   * A level from its flags: `(useDisk, useMemory, useOffHeap, deserialized, replication)`, as PySpark's.
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

  static readonly NONE = new StorageLevel(false, false, false, false);
  static readonly DISK_ONLY = new StorageLevel(true, false, false, false);
  static readonly DISK_ONLY_2 = new StorageLevel(true, false, false, false, 2);
  static readonly DISK_ONLY_3 = new StorageLevel(true, false, false, false, 3);
  static readonly MEMORY_ONLY = new StorageLevel(false, true, false, true);
  static readonly MEMORY_ONLY_2 = new StorageLevel(false, true, false, true, 2);
  static readonly MEMORY_AND_DISK = new StorageLevel(true, true, false, true);
  static readonly MEMORY_AND_DISK_2 = new StorageLevel(true, true, false, true, 2);
  static readonly MEMORY_AND_DISK_DESER = new StorageLevel(true, true, false, true);
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
