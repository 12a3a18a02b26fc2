/**
 * RDDs that read input: a driver-side collection, a number range, files. File inputs are
 * listed and split on the driver (lazily, at the first action) and read by the workers.
 */
import { serializeValue } from "../serde/value-codec.js";
import { statSync } from "node:fs";
import type { SparkContext } from "./context.js";
import { RDD } from "./rdd.js";
import type { PartitionPlan, SparkInputPartition } from "../scheduler/plan.js";
import { resolveInputPaths } from "../io/paths.js";
import { balancedSplitCount, planFileSplits, sliceBounds, type FileSplit } from "../io/text-splits.js";
import type { LineEncoding } from "../io/line-reader.js";
import { planRecordSplits } from "../io/whole-files.js";
import { TsparkError } from "../errors.js";
import { runtimeOf } from "../driver/runtime-registry.js";

function validSlices(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 1) throw new TsparkError("INVALID_ARGUMENT", `${what} must be a positive integer, got ${n}`);
  return n;
}

export class ParallelCollectionRDD<T> extends RDD<T> {
  /** Each slice serialized once, at parallelize time: later changes to the array do not leak in. */
  private readonly slices: Uint8Array[];

  constructor(context: SparkContext, data: Iterable<T>, numSlices: number) {
    super(context);
    const arr = Array.isArray(data) ? (data as T[]) : [...data];
    validSlices(numSlices, "numSlices");
    this.slices = [];
    for (let i = 0; i < numSlices; i++) {
      const [a, b] = sliceBounds(arr.length, numSlices, i);
      // Element paths count from the slice's start: shift them to the data's own indexes.
      this.slices.push(serializeValue(arr.slice(a, b), `parallelize's data (from element ${a})`));
    }
  }

  getNumPartitions(): number {
    return this.slices.length;
  }

  parents(): RDD<unknown>[] {
    return [];
  }

  protected computePlan(p: number): PartitionPlan {
    return { kind: "parallelize", data: this.slices[p]! };
  }

  protected kindName(): string {
    return "ParallelCollectionRDD";
  }
}

export class RangeRDD extends RDD<number> {
  private readonly length: number;

  constructor(context: SparkContext, private readonly start: number, end: number, private readonly step: number, private readonly numSlices: number) {
    super(context);
    if (step === 0) throw new TsparkError("INVALID_ARGUMENT", "range step must not be zero");
    validSlices(numSlices, "numSlices");
    this.length = Math.max(0, Math.ceil((end - start) / step));
  }

  getNumPartitions(): number {
    return this.numSlices;
  }

  parents(): RDD<unknown>[] {
    return [];
  }

  protected computePlan(p: number): PartitionPlan {
    const [a, b] = sliceBounds(this.length, this.numSlices, p);
    return { kind: "range", start: this.start + a * this.step, end: this.start + b * this.step, step: this.step };
  }

  protected kindName(): string {
    return "RangeRDD";
  }

  protected override detail(): string {
    return `range`;
  }
}

export class EmptyRDD<T> extends RDD<T> {
  getNumPartitions(): number {
    return 0;
  }

  parents(): RDD<unknown>[] {
    return [];
  }

  protected computePlan(): PartitionPlan {
    return { kind: "empty" };
  }

  protected kindName(): string {
    return "EmptyRDD";
  }
}

/** Base for file inputs: lists their partitions once, when first needed (an action). */
abstract class InputRDD<T, P> extends RDD<T> {
  private parts: P[] | undefined;

  constructor(context: SparkContext, protected readonly path: string) {
    super(context);
    if (typeof path !== "string" || path.length === 0) throw new TsparkError("INVALID_ARGUMENT", "an input path must be a non-empty string");
  }

  protected abstract listParts(): P[];
  protected abstract planPart(part: P): PartitionPlan;

  private partsList(): P[] {
    this.parts ??= this.listParts();
    return this.parts;
  }

  getNumPartitions(): number {
    return this.partsList().length;
  }

  parents(): RDD<unknown>[] {
    return [];
  }

  protected computePlan(p: number): PartitionPlan {
    return this.planPart(this.partsList()[p]!);
  }

  protected override detail(): string {
    return this.path;
  }
}

/** Files tspark's workers read: listed (and split) on the driver. */
abstract class FileInputRDD<T, P> extends InputRDD<T, P> {
  protected abstract computeParts(paths: string[]): P[];

  protected listParts(): P[] {
    return this.computeParts(resolveInputPaths(this.path));
  }
}

export class TextFileRDD<T extends string | Uint8Array = string> extends FileInputRDD<T, FileSplit> {
  constructor(context: SparkContext, path: string, private readonly minPartitions: number, private readonly encoding: LineEncoding = "utf8") {
    super(context, path);
  }

  protected computeParts(paths: string[]): FileSplit[] {
    return planFileSplits(paths, this.minPartitions, this.context.defaultParallelism);
  }

  protected planPart(split: FileSplit): PartitionPlan {
    return this.encoding === "utf8" ? { kind: "text-file", split } : { kind: "text-file", split, encoding: this.encoding };
  }

  protected kindName(): string {
    return "TextFileRDD";
  }
}

/** What each Spark input gives: lines, [file, content] pairs, or tspark's record batches (saveAsObjectFile on Spark). */
const SPARK_RECORDS = { textFile: "lines", wholeTextFiles: "text-files", binaryFiles: "binary-files", objectFile: "record-batches" } as const;

/**
 * A file input on Spark, read by Spark's Hadoop readers (local paths and every filesystem the
 * Spark installation reads: hdfs://, s3a://...): its partitions are Spark's input splits,
 * listed by the JVM at the first need (an action), and its records are what Spark hands the
 * worker: lines (textFile), or [file, content] (wholeTextFiles, binaryFiles).
 */
export class SparkInputRDD<T> extends InputRDD<T, SparkInputPartition> {
  constructor(context: SparkContext, private readonly method: keyof typeof SPARK_RECORDS, path: string, private readonly minPartitions: number, private readonly encoding: LineEncoding = "utf8") {
    super(context, path);
  }

  protected listParts(): SparkInputPartition[] {
    const session = runtimeOf(this.context).sparkSession;
    if (!session) throw new TsparkError("INVALID_ARGUMENT", "a Spark input needs the Spark engine");
    const { rdd, partitions } = session.hadoopInput(this.method, this.path, this.method === "textFile" ? this.balancedMinPartitions() : this.minPartitions);
    const encoding = this.encoding === "utf8" ? {} : { encoding: this.encoding };
    return Array.from({ length: partitions }, (_, partition) => ({ rdd, partitions, partition, records: SPARK_RECORDS[this.method], ...encoding }));
  }

  /**
   * The minPartitions that asks Spark's reader for the splits tspark's engine would cut (of
   * equal size, their count a multiple of the default parallelism: io/text-splits.ts), when
   * the driver sees the files; the program's own otherwise (another filesystem's, or files
   * only the executors have).
   */
  private balancedMinPartitions(): number {
    let paths: string[];
    try {
      paths = resolveInputPaths(this.path);
    } catch {
      return this.minPartitions;
    }
    return balancedSplitCount(paths, this.minPartitions, this.context.defaultParallelism) ?? this.minPartitions;
  }

  protected planPart(from: SparkInputPartition): PartitionPlan {
    return { kind: "executor-input", from };
  }

  protected kindName(): string {
    return { textFile: "HadoopRDD", wholeTextFiles: "WholeTextFileRDD", binaryFiles: "BinaryFileRDD", objectFile: "ObjectFileRDD" }[this.method];
  }
}

/** Groups whole files into at most `minPartitions` partitions of similar total size. */
function groupFiles(paths: string[], minPartitions: number): string[][] {
  const n = Math.max(1, Math.min(paths.length, minPartitions));
  if (paths.length === 0) return [[]];
  const sizes = paths.map((p) => statSync(p).size);
  const total = sizes.reduce((a, b) => a + b, 0);
  const target = total / n;
  const groups: string[][] = [[]];
  let acc = 0;
  paths.forEach((p, i) => {
    const cur = groups[groups.length - 1]!;
    if (cur.length > 0 && acc >= target && groups.length < n) {
      groups.push([p]);
      acc = sizes[i]!;
    } else {
      cur.push(p);
      acc += sizes[i]!;
    }
  });
  return groups;
}

export class WholeTextFilesRDD extends FileInputRDD<[string, string], string[]> {
  constructor(context: SparkContext, path: string, private readonly minPartitions: number) {
    super(context, path);
  }

  protected computeParts(paths: string[]): string[][] {
    return groupFiles(paths, this.minPartitions);
  }

  protected planPart(paths: string[]): PartitionPlan {
    return { kind: "whole-text-files", paths };
  }

  protected kindName(): string {
    return "WholeTextFileRDD";
  }
}

export class BinaryFilesRDD extends FileInputRDD<[string, Uint8Array], string[]> {
  constructor(context: SparkContext, path: string, private readonly minPartitions: number) {
    super(context, path);
  }

  protected computeParts(paths: string[]): string[][] {
    return groupFiles(paths, this.minPartitions);
  }

  protected planPart(paths: string[]): PartitionPlan {
    return { kind: "binary-files", paths };
  }

  protected kindName(): string {
    return "BinaryFileRDD";
  }
}

export class BinaryRecordsRDD extends FileInputRDD<Uint8Array, FileSplit> {
  constructor(context: SparkContext, path: string, private readonly recordLength: number) {
    super(context, path);
    if (!Number.isInteger(recordLength) || recordLength < 1) throw new TsparkError("INVALID_ARGUMENT", `recordLength must be a positive integer, got ${recordLength}`);
  }

  protected computeParts(paths: string[]): FileSplit[] {
    return planRecordSplits(paths, this.recordLength, this.context.defaultMinPartitions);
  }

  protected planPart(split: FileSplit): PartitionPlan {
    return { kind: "binary-records", split, recordLength: this.recordLength };
  }

  protected kindName(): string {
    return "BinaryRecordsRDD";
  }
}

/** Reads saveAsObjectFile output: one partition per part file. */
export class ObjectFileRDD<T> extends FileInputRDD<T, string[]> {
  constructor(context: SparkContext, path: string, private readonly minPartitions: number) {
    super(context, path);
  }

  protected computeParts(paths: string[]): string[][] {
    const files = paths.filter((p) => !/[\\/]_SUCCESS$/.test(p));
    if (files.length === 0) return [[]];
    return files.length >= this.minPartitions ? files.map((f) => [f]) : groupFiles(files, files.length);
  }

  protected planPart(paths: string[]): PartitionPlan {
    return { kind: "object-file", paths };
  }

  protected kindName(): string {
    return "ObjectFileRDD";
  }
}
