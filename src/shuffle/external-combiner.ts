/**
 * Reduce-side combining by key with bounded memory (Spark's ExternalAppendOnlyMap): keys are
 * combined in a map; past the memory limit the map is spilled as a run sorted by key hash;
 * at the end the runs are merged hash by hash, equal keys combined, and emitted.
 */
import { rmSync } from "node:fs";
import { readFrames } from "./frame-file.js";
import { SizeTracker, spillFrameRecords } from "./size-estimator.js";
import { mergeSortedRuns, mergeDownRuns, flatten, writeRun, spillRunPath } from "./run-merger.js";
import type { Aggregator } from "./aggregator.js";
import { ValueMap } from "../util/value-map.js";
import { CombinerMap } from "./combiner-map.js";
import type { TaskResources } from "./task-resources.js";

const BATCH = 4096;
type Entry = [number, unknown, unknown]; // [hash, key, combiner]

const byHash = (a: Entry, b: Entry) => a[0] - b[0];

export class ExternalCombiner {
  private map = new CombinerMap();
  private readonly tracker = new SizeTracker();
  private readonly runs: string[] = [];
  spillBytes = 0;

  constructor(private readonly agg: Aggregator, private readonly task: TaskResources, private readonly name: string) {}

  /** Adds records: raw [key, value] pairs, or [key, combiner] pairs from a map-side combine. */
  insertAll(batch: unknown[], combiners: boolean): void {
    const { agg, map } = this;
    for (let i = 0; i < batch.length; i++) {
      const rec = batch[i] as [unknown, unknown];
      if (map.add(rec[0], rec[1], agg, combiners)) this.tracker.add(rec);
      else if (agg.growsWithValues) this.tracker.add(rec[1]);
    }
    if (this.tracker.estimatedBytes > this.task.memoryBytes) this.spill();
  }

  /** Runs spilled from memory (merge passes write more runs, not counted here). */
  spills = 0;
  /** Records per frame of the last spill (sized from its records), kept for merge passes. */
  private frameRecords: number | undefined;

  private runPath(): string {
    return spillRunPath(this.task.spillDir(), this.name, "combine");
  }

  private sortedEntries(): Entry[] {
    const entries = this.map.sortedByHash();
    const out = this.agg.toSpill;
    if (out) for (const e of entries) e[2] = out(e[2]);
    return entries;
  }

  private spill(): void {
    const entries = this.sortedEntries();
    this.spills++;
    const path = this.runPath();
    this.frameRecords = spillFrameRecords(this.tracker);
    const bytes = writeRun(path, entries, this.frameRecords);
    this.spillBytes += bytes;
    this.task.metrics.recordSpill(bytes);
    this.runs.push(path);
    this.map = new CombinerMap();
    this.tracker.reset();
  }

  /** The combined [key, combiner] records, in batches. */
  *entries(): Generator<unknown[], void, undefined> {
    if (this.runs.length === 0) {
      const table = this.map;
      this.map = new CombinerMap();
      yield* table.batches(BATCH);
      return;
    }
    const back = this.agg.fromSpill;
    // Equal keys may sit in different runs: intermediate passes keep them apart (hash order),
    // the final merge below combines them.
    const merged = mergeDownRuns(this.runs, byHash, () => this.runPath(), this.frameRecords);
    if (merged > 0) this.task.metrics.recordSpill(merged);
    const iters: Array<Iterator<Entry>> = this.runs.map((p) => flatten(readFrames<Entry>(p)));
    iters.push(this.sortedEntries()[Symbol.iterator]());
    this.map = new CombinerMap();
    try {
      let out: unknown[] = [];
      let group = new ValueMap<unknown, unknown>();
      let groupHash = -1;
      const flushGroup = () => {
        for (const e of group.entries()) out.push(e);
        group = new ValueMap();
      };
      for (const [h, k, spilled] of mergeSortedRuns(iters, byHash)) {
        const c = back ? back(spilled) : spilled;
        if (h !== groupHash) {
          flushGroup();
          groupHash = h;
          if (out.length >= BATCH) {
            yield out;
            out = [];
          }
        }
        if (group.has(k)) group.set(k, this.agg.mergeCombiners(group.get(k), c));
        else group.set(k, c);
      }
      flushGroup();
      if (out.length > 0) yield out;
    } finally {
      this.cleanup();
    }
  }

  cleanup(): void {
    for (const p of this.runs) rmSync(p, { force: true });
    this.runs.length = 0;
  }
}
