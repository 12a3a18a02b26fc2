/**
 * A task's work, as plain data that crosses the process boundary (no code generation):
 * a tree of partition plans whose leaves read input and whose inner nodes apply pipelined
 * steps. User functions appear only as closure ids; their bytes travel once per worker.
 */
import type { FileSplit } from "../io/text-splits.js";
import type { MapOutputLocation } from "../shuffle/shuffle-reader.js";
import type { StepOp, ArgsOf } from "./step-args.js";

export type ClosureId = string;

/**
 * One pipelined operation; `op` selects an operator registered in worker/steps/
 * (step-registry.ts), `args` are its parameters as step-args.ts types them: plain
 * structured-clonable data.
 */
export type Step = { [Op in StepOp]: StepOf<Op> }[StepOp];

export type StepOf<Op extends StepOp> = {
  op: Op;
  /** The user's functions the operation applies (most have one). */
  fns?: ClosureId[];
} & ArgsOf<Op>;

export type PartitionPlan =
  | { kind: "parallelize"; data: Uint8Array }
  | { kind: "range"; start: number; end: number; step: number }
  | { kind: "text-file"; split: FileSplit }
  | { kind: "whole-text-files"; paths: string[] }
  | { kind: "binary-files"; paths: string[] }
  | { kind: "binary-records"; split: FileSplit; recordLength: number }
  | { kind: "object-file"; paths: string[] }
  | { kind: "empty" }
  /**
   * The records the engine hosting the worker hands it (Spark's executor, over its socket);
   * on the driver, `from` names the JVM RDD (and its partition count) and the partition they
   * come from (Spark's Hadoop input), and what its records are.
   */
  | { kind: "executor-input"; from?: { rdd: string; partitions: number; partition: number; records: "lines" | "text-files" | "binary-files" | "record-batches" } }
  /** This reduce partition's segment of every map output of a shuffle. */
  | { kind: "shuffle-read"; shuffleId: number; partition: number; outputs: MapOutputLocation[] }
  /** Steps applied, in order, to the records of `parent`; `partitionIndex` is what mapPartitionsWithIndex sees. */
  | { kind: "narrow"; parent: PartitionPlan; partitionIndex: number; steps: Step[] }
  | { kind: "zip"; left: PartitionPlan; right: PartitionPlan }
  | { kind: "cartesian"; left: PartitionPlan; right: PartitionPlan }
  /** Co-partitioned inputs joined by key: `right` is loaded into a table, `left` streams past it. */
  | { kind: "hash-join"; left: PartitionPlan; right: PartitionPlan; how: "inner" | "left" | "right" | "full" }
  | { kind: "concat"; parents: PartitionPlan[] }
  /** A persisted RDD's partition: the cached block if a worker has it, else `compute` (then kept). */
  | { kind: "cached"; blockId: string; level: { useMemory: boolean; useDisk: boolean }; compute: PartitionPlan };

export interface TaskDescription {
  taskId: number;
  jobId: number;
  stageId: number;
  partition: number;
  attempt: number;
  plan: PartitionPlan;
  /** Closure bytes the receiving worker has not seen yet, by id. */
  closures: Array<[ClosureId, Uint8Array]>;
  localProperties: Record<string, string>;
  /** Set for the tasks of a barrier stage: how many tasks wait for each other, and which stage attempt. */
  barrier?: { numTasks: number; stageAttempt: number };
}

/** The closure ids a plan refers to (what a worker must hold to run it). */
export function closureIdsOf(plan: PartitionPlan, into: Set<ClosureId> = new Set()): Set<ClosureId> {
  switch (plan.kind) {
    case "narrow":
      for (const s of plan.steps) for (const id of s.fns ?? []) into.add(id);
      closureIdsOf(plan.parent, into);
      break;
    case "zip":
    case "cartesian":
    case "hash-join":
      closureIdsOf(plan.left, into);
      closureIdsOf(plan.right, into);
      break;
    case "concat":
      for (const p of plan.parents) closureIdsOf(p, into);
      break;
    case "cached":
      closureIdsOf(plan.compute, into);
      break;
  }
  return into;
}
