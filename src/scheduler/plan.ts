/**
 * A task's work, as plain data that crosses the process boundary (no code generation):
 * a tree of partition plans whose leaves read input and whose inner nodes apply pipelined
 * steps. User functions appear only as closure ids; their bytes travel once per worker.
 */
import type { FileSplit } from "../io/text-splits.js";
import type { LineEncoding } from "../io/line-reader.js";
import type { ShuffleSegments } from "../shuffle/shuffle-reader.js";
import type { StepOp, ArgsOf } from "./step-args.js";
import type { CustomSerializerSpec, SerializerSpec } from "../serde/record-serializers.js";

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

/**
 * A partition of a JVM RDD whose records a task reads (its gateway id and partition count), and
 * what its records are: Spark's Hadoop input, or record batches tagged with their source and
 * partition (a shuffle Spark moved, spark/driver/spark-shuffles.ts, or a persisted RDD Spark
 * keeps, spark-storage.ts): `tagged` names the source and, for a shuffle, the stable id of the
 * partitioner it was partitioned by.
 */
export interface SparkInputPartition {
  rdd: string;
  partitions: number;
  partition: number;
  records: "lines" | "text-files" | "binary-files" | "record-batches" | "tagged-batches";
  /** For lines read by tspark's worker (tspark.spark.readLocalFiles): how they are decoded (undefined: UTF-8, as Spark's readers). */
  encoding?: LineEncoding;
  tagged?: { source: number; partitioner?: number };
  /** For a shuffle: the JVM RDD of its frames that keeps its partitioner (co-partitioned unions are made of these). */
  partitionedRdd?: string;
}

/** A leaf whose records the engine hosting the worker hands it. */
export type ExecutorInputPlan = Extract<PartitionPlan, { kind: "executor-input" }>;

export type PartitionPlan =
  | { kind: "parallelize"; data: Uint8Array }
  | { kind: "range"; start: number; end: number; step: number }
  /** `encoding` undefined: UTF-8. */
  | { kind: "text-file"; split: FileSplit; encoding?: LineEncoding }
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
  | { kind: "executor-input"; from?: SparkInputPartition }
  /**
   * This reduce partition's segment of every map output of a shuffle. `segments` are filled in
   * as the task launches (MapOutputTracker.withSegments), not when its stage is planned: R
   * reduce tasks of M map outputs would hold M x R segments in the driver before the first
   * could start. Spark's engine reads what Spark moved instead, and needs none.
   */
  | { kind: "shuffle-read"; shuffleId: number; partition: number; segments?: ShuffleSegments }
  /** Steps applied, in order, to the records of `parent`; `partitionIndex` is what mapPartitionsWithIndex sees. */
  | { kind: "narrow"; parent: PartitionPlan; partitionIndex: number; steps: Step[] }
  | { kind: "zip"; left: PartitionPlan; right: PartitionPlan }
  | { kind: "cartesian"; left: PartitionPlan; right: PartitionPlan }
  /** Co-partitioned inputs joined by key: `right` is loaded into a table, `left` streams past it. */
  | { kind: "hash-join"; left: PartitionPlan; right: PartitionPlan; how: "inner" | "left" | "right" | "full" }
  | { kind: "concat"; parents: PartitionPlan[] }
  /**
   * A persisted RDD's partition: the cached block if a worker has it, else `compute` (then
   * kept). On Spark, a checkpointed RDD's partition too (`checkpoint`: which kind, for Spark to
   * write; `level` may then keep nothing).
   */
  | { kind: "cached"; blockId: string; level: { useMemory: boolean; useDisk: boolean }; compute: PartitionPlan; checkpoint?: "reliable" | "local"; serializer?: SerializerSpec | undefined };

/** Bytes of closures a worker keeps across tasks (their revived functions hold their captured values). */
export const CLOSURE_CACHE_BYTES = 64 * 1024 * 1024;

/** Record classes a task's worker must know: class id (serde/record-classes.ts) and the closure reviving the class. */
export type ClassTable = Array<[string, ClosureId]>;

export interface TaskDescription {
  taskId: number;
  jobId: number;
  stageId: number;
  partition: number;
  attempt: number;
  plan: PartitionPlan;
  /** Closure bytes the receiving worker has not seen yet, by id. */
  closures: Array<[ClosureId, Uint8Array]>;
  /**
   * Closures the worker is to drop (with their revived functions and captured values): what
   * the driver keeps of a worker's closures is bounded (CLOSURE_CACHE_BYTES, least recently
   * used out), so an iterative program's closures do not pile up in its workers.
   */
  forgetClosures?: ClosureId[];
  /** Classes of the records the task may decode, revived before it runs (their closures are among `closures`). */
  classes?: ClassTable;
  /** The user's serializers the task may meet, registered before it runs (their functions are among `closures`). */
  serializers?: CustomSerializerSpec[];
  localProperties: Record<string, string>;
  /** Set for the tasks of a barrier stage: how many tasks wait for each other, and which stage attempt. */
  barrier?: { numTasks: number; stageAttempt: number };
}

/** The plans a plan reads from in the same task (none for a source). */
export function childPlans(plan: PartitionPlan): PartitionPlan[] {
  switch (plan.kind) {
    case "narrow":
      return [plan.parent];
    case "zip":
    case "cartesian":
    case "hash-join":
      return [plan.left, plan.right];
    case "concat":
      return plan.parents;
    case "cached":
      return [plan.compute];
    default:
      return [];
  }
}

/** `plan` with each plan it reads from replaced by `map(child)` (a source as it is). */
export function mapChildPlans(plan: PartitionPlan, map: (child: PartitionPlan) => PartitionPlan): PartitionPlan {
  switch (plan.kind) {
    case "narrow":
      return { ...plan, parent: map(plan.parent) };
    case "zip":
    case "cartesian":
    case "hash-join":
      return { ...plan, left: map(plan.left), right: map(plan.right) };
    case "concat":
      return { ...plan, parents: plan.parents.map(map) };
    case "cached":
      return { ...plan, compute: map(plan.compute) };
    default:
      return plan;
  }
}

/**
 * Every node of a plan, depth first, a node before the plans it reads from (in `children`'s
 * order). A loop over a stack, not recursion: a plan may nest thousands deep (chained joins).
 */
export function* planNodes(plan: PartitionPlan, children: (plan: PartitionPlan) => PartitionPlan[] = childPlans): Generator<PartitionPlan> {
  const stack = [plan];
  for (let p = stack.pop(); p !== undefined; p = stack.pop()) {
    yield p;
    const cs = children(p);
    for (let i = cs.length - 1; i >= 0; i--) stack.push(cs[i]!);
  }
}

/**
 * `plan` rebuilt bottom-up without recursion (a plan may nest thousands deep): a node that
 * `replace` maps to a plan is replaced whole (not descended into); any other node gets its
 * rebuilt children and then goes through `after`. A node reached twice is rebuilt once.
 */
export function rewritePlan(plan: PartitionPlan, replace: (node: PartitionPlan) => PartitionPlan | undefined, after: (node: PartitionPlan) => PartitionPlan = (node) => node): PartitionPlan {
  const done = new Map<PartitionPlan, PartitionPlan>();
  const stack: Array<{ node: PartitionPlan; expanded: boolean }> = [{ node: plan, expanded: false }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (done.has(top.node)) {
      stack.pop();
      continue;
    }
    const whole = top.expanded ? undefined : replace(top.node);
    if (whole !== undefined) {
      done.set(top.node, whole);
      stack.pop();
      continue;
    }
    const children = childPlans(top.node);
    if (!top.expanded) {
      top.expanded = true;
      for (let i = children.length - 1; i >= 0; i--) if (!done.has(children[i]!)) stack.push({ node: children[i]!, expanded: false });
      continue;
    }
    stack.pop();
    done.set(top.node, after(children.length === 0 ? top.node : mapChildPlans(top.node, (child) => done.get(child)!)));
  }
  return done.get(plan)!;
}

/**
 * The `executor-input` leaves of a plan in the order a worker reads them (a join loads its
 * right side before it reads the left; a cartesian product holds its right side too): the
 * order an engine handing them over in one stream should follow.
 */
export function leavesInReadOrder(plan: PartitionPlan, into: ExecutorInputPlan[] = []): ExecutorInputPlan[] {
  const readOrder = (p: PartitionPlan) => (p.kind === "hash-join" || p.kind === "cartesian" ? [p.right, p.left] : childPlans(p));
  for (const p of planNodes(plan, readOrder)) if (p.kind === "executor-input") into.push(p);
  return into;
}

/** The closures tasks running `plans` call: the plans' own, and their record classes' and serializers'. */
export function closuresRun(plans: Iterable<PartitionPlan>, classes: ClassTable, serializers: ReadonlyArray<{ encode: ClosureId; decode: ClosureId }>): Set<ClosureId> {
  const ids = new Set<ClosureId>();
  for (const plan of plans) closureIdsOf(plan, ids);
  for (const [, closure] of classes) ids.add(closure);
  for (const s of serializers) ids.add(s.encode).add(s.decode);
  return ids;
}

/** The shuffles a plan reads, each once. */
export function shufflesRead(plan: PartitionPlan): number[] {
  const ids = new Set<number>();
  for (const p of planNodes(plan)) if (p.kind === "shuffle-read") ids.add(p.shuffleId);
  return [...ids];
}

/** The closure ids a plan refers to (what a worker must hold to run it). */
export function closureIdsOf(plan: PartitionPlan, into: Set<ClosureId> = new Set()): Set<ClosureId> {
  for (const p of planNodes(plan)) if (p.kind === "narrow") for (const s of p.steps) for (const id of s.fns ?? []) into.add(id);
  return into;
}

/**
 * A plan as the list of its nodes, each node's children as indexes into it (children before
 * the node, the root last): how a plan crosses a process boundary. V8's serializer recurses
 * into nested objects, and a plan some thousand nodes deep (chained joins) exhausts its
 * stack; a flat plan is as deep as one node.
 */
export interface FlatPlan {
  /** Each node, the plans it reads from replaced by EMPTY_PLAN. */
  nodes: PartitionPlan[];
  /** Each node's children, by index, in childPlans' order. */
  children: number[][];
}

const EMPTY_PLAN: PartitionPlan = { kind: "empty" };

export function flattenPlan(plan: PartitionPlan): FlatPlan {
  const nodes: PartitionPlan[] = [];
  const children: number[][] = [];
  const index = new Map<PartitionPlan, number>(); // a node reached twice stays one, as V8 keeps a shared object one
  const stack: Array<{ plan: PartitionPlan; children: PartitionPlan[]; next: number; indexes: number[] }> = [{ plan, children: childPlans(plan), next: 0, indexes: [] }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.next < top.children.length) {
      const child = top.children[top.next++]!;
      const i = index.get(child);
      if (i !== undefined) top.indexes.push(i);
      else stack.push({ plan: child, children: childPlans(child), next: 0, indexes: [] });
      continue;
    }
    stack.pop();
    const i = nodes.length;
    nodes.push(top.children.length === 0 ? top.plan : mapChildPlans(top.plan, () => EMPTY_PLAN));
    children.push(top.indexes);
    index.set(top.plan, i);
    stack[stack.length - 1]?.indexes.push(i);
  }
  return { nodes, children };
}

/** The plan flattenPlan flattened, built children first. */
export function inflatePlan(flat: FlatPlan): PartitionPlan {
  const built: PartitionPlan[] = [];
  for (let i = 0; i < flat.nodes.length; i++) {
    const cs = flat.children[i]!;
    let c = 0;
    built.push(cs.length === 0 ? flat.nodes[i]! : mapChildPlans(flat.nodes[i]!, () => built[cs[c++]!]!));
  }
  return built[built.length - 1]!;
}
