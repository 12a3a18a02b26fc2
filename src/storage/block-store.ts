/**
 * A worker's store of cached RDD partitions ("blocks"). Why here: the worker that computed a
 * partition keeps it in its own heap, so a later task scheduled on that worker (the driver
 * prefers it) reads the records with no copy or decode at all. Memory is bounded by
 * `tspark.storage.memory` with least-recently-used eviction; evicted MEMORY_AND_DISK blocks
 * move to disk. Disk blocks live in the application's local directory, which every worker
 * on this machine can read, so they are served to any worker.
 */
import { existsSync, mkdirSync, renameSync, rmSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { FrameFileWriter, readFrames } from "../shuffle/frame-file.js";
import { TSPARK_BATCHES, inBatches, type BatchCodec } from "../serde/record-serializers.js";
import { roughHeapSize } from "../shuffle/size-estimator.js";
import { TsparkError } from "../errors.js";

export interface BlockLevel {
  useMemory: boolean;
  useDisk: boolean;
}

/** What the driver learns about a block after a task: where it now is (none = gone). */
export interface BlockUpdate {
  blockId: string;
  memory: boolean;
  disk: boolean;
  bytes: number;
}

interface MemoryBlock {
  batches: unknown[][];
  bytes: number;
  level: BlockLevel;
  /** How the block is encoded if it goes to disk (the RDD's serializer). */
  codec: BatchCodec;
}

export class BlockStore {
  private readonly memory = new Map<string, MemoryBlock>();
  private used = 0;
  private pending: BlockUpdate[] = [];

  constructor(private readonly dir: string, private readonly limitBytes: number) {}

  private diskPath(blockId: string): string {
    return join(this.dir, blockId);
  }

  /** The block's record batches, from memory (marking it recently used) or disk. */
  get(blockId: string): Iterable<unknown[]> | undefined {
    const m = this.memory.get(blockId);
    if (m) {
      this.memory.delete(blockId);
      this.memory.set(blockId, m);
      return m.batches;
    }
    const p = this.diskPath(blockId);
    if (existsSync(p)) return this.readDisk(blockId, p);
    return undefined;
  }

  /** A disk block's batches. A damaged one (CORRUPT_FILE) is removed as it fails: the task's retry recomputes it from lineage. */
  private *readDisk(blockId: string, path: string): Generator<unknown[], void, undefined> {
    try {
      yield* readFrames<unknown>(path);
    } catch (err) {
      if (err instanceof TsparkError && err.code === "CORRUPT_FILE") {
        rmSync(path, { force: true });
        this.pending.push({ blockId, memory: false, disk: false, bytes: 0 });
      }
      throw err;
    }
  }

  /** Estimated heap size of a block's records, sampled. */
  static estimate(batches: unknown[][]): number {
    let records = 0;
    let sample = 0;
    let sampled = 0;
    for (const b of batches) {
      records += b.length;
      for (let i = 0; i < b.length && sampled < 64; i += Math.max(1, b.length >> 3)) {
        sample += roughHeapSize(b[i]);
        sampled++;
      }
    }
    return sampled === 0 ? 0 : (sample / sampled) * records;
  }

  /** Stores a complete block at its level; returns false if it could not be kept at all. */
  put(blockId: string, batches: unknown[][], level: BlockLevel, codec: BatchCodec = TSPARK_BATCHES): boolean {
    const bytes = BlockStore.estimate(batches);
    if (level.useMemory && bytes <= this.limitBytes) {
      this.evictFor(bytes);
      this.memory.set(blockId, { batches, bytes, level, codec });
      this.used += bytes;
      this.pending.push({ blockId, memory: true, disk: false, bytes });
      return true;
    }
    if (level.useDisk) {
      this.pending.push({ blockId, memory: false, disk: true, bytes: this.writeDisk(blockId, batches, codec) });
      return true;
    }
    return false; // MEMORY_ONLY and larger than the whole store: recomputed when needed, as Spark does
  }

  /** Writes batches to the block's disk file atomically; returns the bytes written. */
  writeDisk(blockId: string, batches: Iterable<unknown[]>, codec: BatchCodec = TSPARK_BATCHES): number {
    mkdirSync(this.dir, { recursive: true });
    const tmp = `${this.diskPath(blockId)}.${process.pid}.tmp`;
    const w = new FrameFileWriter(tmp);
    for (const b of batches) for (const piece of inBatches(b, codec.batchSize)) w.writeBatch(piece, codec);
    w.close();
    renameSync(tmp, this.diskPath(blockId));
    return w.position;
  }

  /** Frees memory for `bytes` by evicting least recently used blocks (to disk if their level allows). */
  private evictFor(bytes: number): void {
    for (const [id, b] of this.memory) {
      if (this.used + bytes <= this.limitBytes) break;
      this.memory.delete(id);
      this.used -= b.bytes;
      const diskBytes = b.level.useDisk ? this.writeDisk(id, b.batches, b.codec) : 0;
      this.pending.push({ blockId: id, memory: false, disk: b.level.useDisk, bytes: diskBytes });
    }
  }

  /** Notes a block that was streamed straight to disk. */
  recordDiskBlock(blockId: string, bytes: number): void {
    this.pending.push({ blockId, memory: false, disk: true, bytes });
  }

  /** Drops every block of an RDD (unpersist). */
  dropRdd(rddId: number): void {
    const prefix = `rdd_${rddId}_`;
    for (const [id, b] of this.memory) {
      if (id.startsWith(prefix)) {
        this.memory.delete(id);
        this.used -= b.bytes;
      }
    }
    if (existsSync(this.dir)) for (const f of readdirSync(this.dir)) if (f.startsWith(prefix)) rmSync(join(this.dir, f), { force: true });
  }

  /** Changes since the last call (reported to the driver with each task's result). */
  takeUpdates(): BlockUpdate[] {
    const u = this.pending;
    this.pending = [];
    return u;
  }
}

export function blockIdOf(rddId: number, partition: number): string {
  return `rdd_${rddId}_${partition}`;
}

/** The RDD and partition of a block id blockIdOf made. */
export function parseBlockId(blockId: string): { rddId: number; partition: number } {
  const [, rdd, partition] = blockId.split("_");
  return { rddId: Number(rdd), partition: Number(partition) };
}
