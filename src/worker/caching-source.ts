/**
 * A persisted RDD's partition inside a task: served from the worker's block store when
 * present (memory here, or disk written by any worker), else computed from lineage while
 * being kept. A partition is stored only when read to the end (take() may stop early),
 * and past the memory budget it goes to disk (MEMORY_AND_DISK, DISK_ONLY) or is not kept.
 */
import { rmSync, renameSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { type BatchStream, mapBatches } from "./batch-stream.js";
import { BlockStore, type BlockLevel } from "../storage/block-store.js";
import { FrameFileWriter } from "../shuffle/frame-file.js";
import { TSPARK_BATCHES, inBatches, type BatchCodec } from "../serde/record-serializers.js";
import type { WorkerRuntime } from "./worker-runtime.js";

/** Keeps a partition's batches as they stream past, then stores them as a block. */
class BlockRecorder {
  private batches: unknown[][] = [];
  private bytes = 0;
  private mode: "memory" | "disk" | "none";
  private writer: FrameFileWriter | undefined;
  private readonly tmp: string;

  private readonly dir: string;

  constructor(private readonly blockId: string, private readonly level: BlockLevel, private readonly runtime: WorkerRuntime, private readonly codec: BatchCodec) {
    this.mode = level.useMemory ? "memory" : "disk";
    this.dir = join(runtime.settings.localDir, "blocks");
    this.tmp = join(this.dir, `${blockId}.${process.pid}.tmp`);
    if (this.mode === "disk") this.openDisk();
  }

  private openDisk(): void {
    mkdirSync(this.dir, { recursive: true });
    this.writer = new FrameFileWriter(this.tmp);
  }

  add(batch: unknown[]): void {
    if (this.mode === "memory") {
      this.batches.push(batch);
      this.bytes += BlockStore.estimate([batch]);
      if (this.bytes > this.runtime.settings.storageMemoryBytes) {
        // Too big for memory: continue on disk if allowed, else give up keeping it.
        if (this.level.useDisk) {
          this.mode = "disk";
          this.openDisk();
          for (const b of this.batches) this.writeDisk(b);
        } else this.mode = "none";
        this.batches = [];
      }
    } else if (this.mode === "disk") this.writeDisk(batch);
  }

  private writeDisk(batch: unknown[]): void {
    for (const piece of inBatches(batch, this.codec.batchSize)) this.writer!.writeBatch(piece, this.codec);
  }

  finish(): void {
    if (this.mode === "memory") this.runtime.blocks.put(this.blockId, this.batches, this.level, this.codec);
    else if (this.mode === "disk") {
      this.writer!.close();
      renameSync(this.tmp, join(this.dir, this.blockId));
      this.runtime.blocks.recordDiskBlock(this.blockId, this.writer!.position);
    }
    this.batches = [];
  }

  abort(): void {
    if (this.writer) {
      try {
        this.writer.close();
      } catch {
        /* already closed */
      }
      rmSync(this.tmp, { force: true });
    }
    this.batches = [];
  }
}

export function cachedStream(blockId: string, level: BlockLevel, compute: () => Promise<BatchStream<unknown>>, runtime: WorkerRuntime, codec: BatchCodec = TSPARK_BATCHES): Promise<BatchStream<unknown>> | BatchStream<unknown> {
  const hit = runtime.blocks.get(blockId);
  if (hit) return hit;
  return compute().then((source) => {
    const rec = new BlockRecorder(blockId, level, runtime, codec);
    let done = false;
    return mapBatches(source, (b) => {
      rec.add(b);
      return b;
    }, {
      flush: () => {
        done = true;
        rec.finish();
        return undefined;
      },
      close: () => {
        if (!done) rec.abort();
      },
    });
  });
}
