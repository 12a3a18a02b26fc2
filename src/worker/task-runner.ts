/**
 * Builds a task's record stream from its plan: revives the task's functions (once per
 * worker, cached by id in the closure layer), opens its sources and applies its steps.
 */
import { interruptible } from "./task-interrupts.js";
import type { PartitionPlan } from "../scheduler/plan.js";
import { type BatchStream, isAsyncStream, collectStream, recordsOf, asyncRecordsOf, mapBatches, concatStreams } from "./batch-stream.js";
import { stepOperator } from "./steps/step-registry.js";
import { openSource } from "./sources.js";
import { cachedStream } from "./caching-source.js";
import { hashJoinStreams } from "./steps/hash-join.js";
import { TsparkError } from "../errors.js";
import type { TaskScope } from "./task-context.js";
import "./steps/narrow-steps.js";
import "./steps/action-steps.js";
import "./steps/pipe-step.js";
import "./steps/sample-steps.js";
import "./steps/shuffle-steps.js";
import "./steps/pair-steps.js";
import { batchCodecOf } from "../serde/record-serializers.js";

function zipStreams(left: BatchStream<unknown>, right: BatchStream<unknown>): BatchStream<unknown> {
  const mismatch = () => new TsparkError("INVALID_ARGUMENT", "Can only zip RDDs with the same number of elements in each partition");
  if (!isAsyncStream(right)) {
    // The right side's records are read as the left side's batches come (synchronously).
    const r = recordsOf(right);
    return mapBatches(left, (batch) => {
      const out = new Array<unknown>(batch.length);
      for (let i = 0; i < batch.length; i++) {
        const next = r.next();
        if (next.done) throw mismatch();
        out[i] = [batch[i], next.value];
      }
      return out;
    }, {
      flush: () => {
        if (!r.next().done) throw mismatch();
        return undefined;
      },
    });
  }
  // An asynchronous right side: its records are awaited one by one.
  return (async function* () {
    const r = asyncRecordsOf(right);
    for await (const batch of left as AsyncIterable<unknown[]>) {
      const out = new Array<unknown>(batch.length);
      for (let i = 0; i < batch.length; i++) {
        const next = await r.next();
        if (next.done) throw mismatch();
        out[i] = [batch[i], next.value];
      }
      yield out;
    }
    if (!(await r.next()).done) throw mismatch();
  })();
}

function cartesianStreams(left: BatchStream<unknown>, rightAll: unknown[]): BatchStream<unknown> {
  return mapBatches(left, (batch) => {
    const out: unknown[] = [];
    for (const l of batch) for (const r of rightAll) out.push([l, r]);
    return out;
  });
}

/**
 * Builds the stream for a plan. Async only where functions must be revived (imports).
 * Children first, over an explicit stack rather than by recursion: a plan may nest thousands
 * deep (chained joins). A node's inputs are built in the order it reads them (a cartesian
 * product's right side, which it holds whole, before its left).
 */
export async function buildStream(plan: PartitionPlan, task: TaskScope): Promise<BatchStream<unknown>> {
  const stack: Array<{ plan: PartitionPlan; inputs: PartitionPlan[]; built: BatchStream<unknown>[] }> = [{ plan, inputs: inputsOf(plan), built: [] }];
  for (;;) {
    const top = stack[stack.length - 1]!;
    if (top.built.length < top.inputs.length) {
      const input = top.inputs[top.built.length]!;
      stack.push({ plan: input, inputs: inputsOf(input), built: [] });
      continue;
    }
    stack.pop();
    const stream = await streamOf(top.plan, top.built, task);
    if (stack.length === 0) return stream;
    stack[stack.length - 1]!.built.push(stream);
  }
}

/** The plans a node's stream is built from, in the order they are built (a `cached` node builds its own only when its block is missing). */
function inputsOf(plan: PartitionPlan): PartitionPlan[] {
  switch (plan.kind) {
    case "narrow":
      return [plan.parent];
    case "zip":
    case "hash-join":
      return [plan.left, plan.right];
    case "cartesian":
      return [plan.right, plan.left];
    case "concat":
      return plan.parents;
    default:
      return [];
  }
}

/** A node's stream, from its inputs' (built in inputsOf's order). */
async function streamOf(plan: PartitionPlan, inputs: BatchStream<unknown>[], task: TaskScope): Promise<BatchStream<unknown>> {
  switch (plan.kind) {
    case "narrow": {
      let s = inputs[0]!;
      for (const step of plan.steps) {
        const fns: Function[] = [];
        for (const id of step.fns ?? []) fns.push(await task.runtime.closures.fn(id));
        const ctx = { partitionIndex: plan.partitionIndex, fns, args: step.args, task };
        s = stepOperator(step.op)(s, ctx);
      }
      return s;
    }
    case "zip":
      return zipStreams(inputs[0]!, inputs[1]!);
    case "cartesian":
      return cartesianStreams(inputs[1]!, await collectStream(inputs[0]!));
    case "hash-join":
      return hashJoinStreams(inputs[0]!, inputs[1]!, plan.how, task);
    case "concat":
      return concatStreams(inputs);
    case "cached":
      // The computation's build starts from a fresh stack (a promise's callback): a chain of cached RDDs nests no deeper.
      return interruptible(await cachedStream(plan.blockId, plan.level, () => Promise.resolve().then(() => buildStream(plan.compute, task)), task.runtime, batchCodecOf(plan.serializer)), task.interrupts);
    case "executor-input":
      return task.executorInput(plan);
    default:
      return interruptible(openSource(plan, task.metrics), task.interrupts);
  }
}
