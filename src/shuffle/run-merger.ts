/**
 * K-way merge of sorted runs (spill files and the in-memory remainder): a binary heap of
 * run cursors ordered by each cursor's current record. Each open spill file holds one
 * frame in memory, so at most MAX_MERGE_FAN_IN files are merged at once: beyond that,
 * intermediate passes merge groups of runs into longer runs on disk first.
 */
import { join } from "node:path";
import { rmSync } from "node:fs";
import { FrameFileWriter, readFrames } from "./frame-file.js";
export interface RunCursor<T> {
  head: T;
  rest: Iterator<T>;
}

/** Merges sorted record iterators into one sorted iterator. */
export function* mergeSortedRuns<T>(runs: Array<Iterator<T>>, compare: (a: T, b: T) => number): Generator<T, void, undefined> {
  const heap: RunCursor<T>[] = [];
  const less = (i: number, j: number) => compare(heap[i]!.head, heap[j]!.head) < 0;
  const swap = (i: number, j: number) => {
    const t = heap[i]!;
    heap[i] = heap[j]!;
    heap[j] = t;
  };
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && less(l, m)) m = l;
      if (r < heap.length && less(r, m)) m = r;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  try {
    for (const it of runs) {
      const n = it.next();
      if (!n.done) heap.push({ head: n.value, rest: it });
    }
    for (let i = (heap.length >> 1) - 1; i >= 0; i--) down(i);
    while (heap.length > 0) {
      const top = heap[0]!;
      yield top.head;
      const n = top.rest.next();
      if (n.done) {
        const last = heap.pop()!;
        if (heap.length > 0) {
          heap[0] = last;
          down(0);
        }
      } else {
        top.head = n.value;
        down(0);
      }
    }
  } finally {
    // Stopped early (take, a cancelled task) or failed: every run's reader closes its file.
    for (const it of runs) it.return?.();
  }
}

/** The records of a frame-file batch stream, one at a time. */
export function* flatten<T>(batches: Iterable<T[]>): Generator<T, void, undefined> {
  for (const b of batches) yield* b;
}

let runCounter = 0;

/**
 * A new spill run's file. Unique in the process, not just per sorter or combiner: one task
 * may hold several at once (reduceByKey(f).reduceByKey(g) combines twice in one task), all
 * named after the task attempt, and one must never truncate or remove another's runs.
 */
export function spillRunPath(dir: string, owner: string, kind: string): string {
  return join(dir, `${owner}-${kind}-${process.pid}-${runCounter++}.tmp`);
}

/** Most spill files merged at once (each holds one frame of SPILL_FRAME_RECORDS in memory). */
export const MAX_MERGE_FAN_IN = 16;

/** Records per frame of a spill run: small, since a merge holds one frame per run. */
export const SPILL_FRAME_RECORDS = 1024;

/** Writes sorted records as a spill run, in frames of `frameRecords` (spillFrameRecords sizes them by the records' average size); returns its size in bytes. */
export function writeRun<T>(path: string, records: Iterable<T>, frameRecords = SPILL_FRAME_RECORDS): number {
  const w = new FrameFileWriter(path);
  let buf: T[] = [];
  for (const r of records) {
    buf.push(r);
    if (buf.length >= frameRecords) {
      w.writeBatch(buf);
      buf = [];
    }
  }
  if (buf.length > 0) w.writeBatch(buf);
  w.close();
  return w.position;
}

/**
 * Merges spill runs, MAX_MERGE_FAN_IN at a time, into new runs until at most
 * MAX_MERGE_FAN_IN remain. `runs` is updated in place (merged files removed, new ones
 * added), so the caller's cleanup always sees every file that exists. Returns the bytes
 * written by the intermediate passes.
 */
export function mergeDownRuns<T>(runs: string[], compare: (a: T, b: T) => number, newRunPath: () => string, frameRecords?: number): number {
  let written = 0;
  while (runs.length > MAX_MERGE_FAN_IN) {
    const group = runs.slice(0, MAX_MERGE_FAN_IN);
    const path = newRunPath();
    try {
      written += writeRun(path, mergeSortedRuns(group.map((p) => flatten(readFrames<T>(p))), compare), frameRecords);
    } catch (err) {
      rmSync(path, { force: true });
      throw err;
    }
    runs.splice(0, group.length);
    runs.push(path);
    for (const p of group) rmSync(p, { force: true });
  }
  return written;
}
