/**
 * Leaves of a partition plan: where a task's records come from. Workers read their own
 * input (file splits, whole files); the driver only sends a description of it.
 */
import { deserializeValue } from "../serde/value-codec.js";
import { pathToFileURL } from "node:url";
import type { BatchStream } from "./batch-stream.js";
import { BATCH_RECORDS, mapBatches } from "./batch-stream.js";
import type { PartitionPlan } from "../scheduler/plan.js";
import { readLines } from "../io/line-reader.js";
import { readWholeTextFile, readBinaryFile, readBinaryRecords } from "../io/whole-files.js";
import { readObjectFile } from "../io/object-file.js";
import { readShuffleBlocks } from "../shuffle/shuffle-reader.js";
import { TsparkError } from "../errors.js";
import { statSync } from "node:fs";
import type { TaskCounters } from "./task-context.js";

type SourceKind = Exclude<PartitionPlan["kind"], "narrow" | "zip" | "cartesian" | "hash-join" | "concat" | "cached" | "executor-input">;
type SourcePlan = Extract<PartitionPlan, { kind: SourceKind }>;

function* rangeBatches(start: number, end: number, step: number): Generator<number[]> {
  let batch: number[] = [];
  for (let x = start; step > 0 ? x < end : x > end; x += step) {
    batch.push(x);
    if (batch.length === BATCH_RECORDS) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

function* wholeFiles<T>(paths: string[], read: (p: string) => T): Generator<Array<[string, T]>> {
  // One file per batch: whole files can be large.
  for (const p of paths) yield [[pathToFileURL(p).href, read(p)]];
}

/** Counts the records a source yields, one addition per batch (the task's "records in"). */
function countedInput(s: BatchStream<unknown>, metrics: TaskCounters): BatchStream<unknown> {
  return mapBatches(s, (b) => {
    metrics.recordsIn += b.length;
    return b;
  });
}

function fileBytes(paths: string[]): number {
  let n = 0;
  for (const p of paths) {
    try {
      n += statSync(p).size;
    } catch {
      /* the read itself reports a missing file */
    }
  }
  return n;
}

/** Bytes of a source's input, known before reading (split lengths, file sizes, shipped data). */
function inputBytes(plan: SourcePlan): number {
  switch (plan.kind) {
    case "parallelize":
      return plan.data.byteLength;
    case "text-file":
    case "binary-records":
      return plan.split.length;
    case "whole-text-files":
    case "binary-files":
    case "object-file":
      return fileBytes(plan.paths);
    default:
      return 0; // ranges are computed; shuffle reads count as shuffle read bytes
  }
}

/** The source's records, counted into the task's metrics. */
export function openSource(plan: SourcePlan, metrics: TaskCounters): BatchStream<unknown> {
  // A shuffle's records are counted as shuffle read (its bytes), not as the task's input.
  if (plan.kind === "shuffle-read") return openRawSource(plan, metrics);
  metrics.bytesIn += inputBytes(plan);
  return countedInput(openRawSource(plan, metrics), metrics);
}

function openRawSource(plan: SourcePlan, metrics: TaskCounters): BatchStream<unknown> {
  switch (plan.kind) {
    case "parallelize": {
      const data = deserializeValue<unknown[]>(plan.data);
      return data.length > 0 ? [data] : [];
    }
    case "range":
      return rangeBatches(plan.start, plan.end, plan.step);
    case "text-file":
      return readLines(plan.split, undefined, plan.encoding ?? "utf8");
    case "whole-text-files":
      return wholeFiles(plan.paths, readWholeTextFile);
    case "binary-files":
      return wholeFiles(plan.paths, readBinaryFile);
    case "binary-records":
      return readBinaryRecords(plan.split, plan.recordLength);
    case "object-file":
      return (function* () {
        for (const p of plan.paths) yield* readObjectFile(p);
      })();
    case "empty":
      return [];
    case "shuffle-read":
      if (!plan.segments) throw new TsparkError("PROTOCOL", `a reduce task of shuffle ${plan.shuffleId} came without its segments`);
      return readShuffleBlocks(plan.segments, metrics);
  }
}
