/**
 * Sorts a partition of any size: records are buffered up to the memory limit, each full
 * buffer is sorted and spilled as a run, and the runs are merged as they are read back.
 */
import { rmSync } from "node:fs";
import { readFrames } from "./frame-file.js";
import { SizeTracker, spillFrameRecords } from "./size-estimator.js";
import { mergeSortedRuns, mergeDownRuns, flatten, writeRun, spillRunPath } from "./run-merger.js";
import type { TaskResources } from "./task-resources.js";
import { warmRecords } from "./warm-records.js";

/**
 * Records a sorted partition gives at a time. Each batch is read ahead (warmRecords) before
 * it is given: small enough that what that brings in stays in the core's cache until the
 * steps after the sort read it.
 */
const BATCH = 1024;

export class ExternalSorter<T> {
  private buffer: T[] = [];
  private readonly tracker = new SizeTracker();
  private readonly runs: string[] = [];
  spillBytes = 0;

  /**
   * @param fastSort given a buffer, the same records in the order `compare` gives them, by a
   *   faster way when there is one for these records (sortByKey's string keys), else undefined
   */
  constructor(
    private readonly compare: (a: T, b: T) => number,
    private readonly task: TaskResources,
    private readonly name: string,
    private readonly fastSort?: (buffer: T[]) => T[] | undefined,
  ) {}

  private sortBuffer(): void {
    this.buffer = this.fastSort?.(this.buffer) ?? this.buffer.sort(this.compare);
  }

  insertAll(batch: T[]): void {
    for (let i = 0; i < batch.length; i++) {
      this.buffer.push(batch[i]!);
      this.tracker.add(batch[i]);
    }
    if (this.tracker.estimatedBytes > this.task.memoryBytes) this.spill();
  }

  /** Runs spilled from memory (merge passes write more runs, not counted here). */
  spills = 0;
  /** Records per frame of the last spill (sized from its records), kept for merge passes. */
  private frameRecords: number | undefined;

  private runPath(): string {
    return spillRunPath(this.task.spillDir(), this.name, "sort");
  }

  private spill(): void {
    this.sortBuffer();
    this.spills++;
    const path = this.runPath();
    this.frameRecords = spillFrameRecords(this.tracker);
    const bytes = writeRun(path, this.buffer, this.frameRecords);
    this.spillBytes += bytes;
    this.task.metrics.recordSpill(bytes);
    this.runs.push(path);
    this.buffer = [];
    this.tracker.reset();
  }

  /** The records in order, in batches, each read ahead (warmRecords); spill files are removed once read. */
  *sorted(): Generator<T[], void, undefined> {
    for (const batch of this.sortedBatches()) {
      warmRecords(batch);
      yield batch;
    }
  }

  private *sortedBatches(): Generator<T[], void, undefined> {
    this.sortBuffer();
    if (this.runs.length === 0) {
      for (let i = 0; i < this.buffer.length; i += BATCH) yield this.buffer.slice(i, i + BATCH);
      this.buffer = [];
      return;
    }
    const merged = mergeDownRuns(this.runs, this.compare, () => this.runPath(), this.frameRecords);
    if (merged > 0) this.task.metrics.recordSpill(merged);
    const iters: Array<Iterator<T>> = this.runs.map((p) => flatten(readFrames<T>(p)));
    iters.push(this.buffer[Symbol.iterator]());
    try {
      let out: T[] = [];
      for (const r of mergeSortedRuns(iters, this.compare)) {
        out.push(r);
        if (out.length >= BATCH) {
          yield out;
          out = [];
        }
      }
      if (out.length > 0) yield out;
    } finally {
      this.cleanup();
    }
  }

  cleanup(): void {
    for (const p of this.runs) rmSync(p, { force: true });
    this.runs.length = 0;
    this.buffer = [];
  }
}
