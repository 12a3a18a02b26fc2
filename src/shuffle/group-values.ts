/**
 * The values of one key in groupByKey when they outgrow memory: the first values stay in
 * memory, the rest go to an overflow file that is read back on each iteration. Small
 * groups are plain arrays; only a group past the limit becomes a SpilledGroup.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { FrameFileWriter, readFrames } from "./frame-file.js";
import { roughHeapSize } from "./size-estimator.js";

let overflowCounter = 0;

export class SpilledGroup<V> implements Iterable<V> {
  private readonly writer: FrameFileWriter;
  private inMemory: V[] = [];
  private memBytes = 0;
  private fileRecords = 0;
  private sealed = false;

  constructor(private readonly dir: string, private readonly memoryBytes: number, first: V[]) {
    this.writer = new FrameFileWriter(join(dir, `group-${process.pid}-${overflowCounter++}.tmp`));
    this.addAll(first);
  }

  /** Appends values; past the memory limit they are written to the overflow file. */
  addAll(values: Iterable<V>): void {
    for (const v of values) {
      this.inMemory.push(v);
      this.memBytes += roughHeapSize(v);
      if (this.memBytes > this.memoryBytes) this.flush();
    }
  }

  private flush(): void {
    if (this.inMemory.length === 0) return;
    this.writer.writeBatch(this.inMemory);
    this.fileRecords += this.inMemory.length;
    this.inMemory = [];
    this.memBytes = 0;
  }

  get length(): number {
    return this.fileRecords + this.inMemory.length;
  }

  *[Symbol.iterator](): Iterator<V> {
    if (!this.sealed) {
      this.writer.flush();
      this.sealed = true;
    }
    if (this.fileRecords > 0) for (const b of readFrames<V>(this.writer.path)) yield* b;
    yield* this.inMemory;
  }

  dispose(): void {
    try {
      this.writer.close();
    } catch {
      /* already closed */
    }
    rmSync(this.writer.path, { force: true });
  }
}
