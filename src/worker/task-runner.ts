/**
 * Runs one task inside a worker: revive the task's functions (once per worker, cached by
 * id in the closure layer), build the pipeline from the plan, drain it into the result.
 */
import type { PartitionPlan, TaskDescription, ClosureId } from "../scheduler/plan.js";
import { reviveClosure } from "../closure/revive.js";
import { type BatchStream, isAsyncStream, collectStream, recordsOf, asyncRecordsOf } from "./batch-stream.js";
import { stepOperator } from "./steps/step-registry.js";
import { openSource } from "./sources.js";
import { cachedStream } from "./caching-source.js";
import { hashJoinStreams } from "./steps/hash-join.js";
import { TsparkError } from "../errors.js";
import "./steps/narrow-steps.js";
import "./steps/action-steps.js";
import "./steps/pipe-step.js";
import "./steps/sample-steps.js";
import "./steps/shuffle-steps.js";
import "./steps/pair-steps.js";

/** Closure bytes this worker has received, by id (a task sends only what is new to us). */
const closureBytes = new Map<ClosureId, Uint8Array>();
const revived = new Map<ClosureId, Function>();

async function functionFor(id: ClosureId): Promise<Function> {
  let fn = revived.get(id);
  if (fn) return fn;
  const bytes = closureBytes.get(id);
  if (!bytes) throw new TsparkError("PROTOCOL", `closure ${id} was never sent to this worker`);
  fn = await reviveClosure(bytes);
  revived.set(id, fn);
  return fn;
}

function zipStreams(left: BatchStream<unknown>, right: BatchStream<unknown>): BatchStream<unknown> {
  const mismatch = () => new TsparkError("INVALID_ARGUMENT", "Can only zip RDDs with the same number of elements in each partition");
  if (!isAsyncStream(left) && !isAsyncStream(right)) {
    return (function* () {
      const r = recordsOf(right);
      for (const batch of left) {
        const out = new Array<unknown>(batch.length);
        for (let i = 0; i < batch.length; i++) {
          const next = r.next();
          if (next.done) throw mismatch();
          out[i] = [batch[i], next.value];
        }
        yield out;
      }
      if (!r.next().done) throw mismatch();
    })();
  }
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
  const pairUp = (batch: unknown[]) => {
    const out: unknown[] = [];
    for (const l of batch) for (const r of rightAll) out.push([l, r]);
    return out;
  };
  if (isAsyncStream(left)) {
    return (async function* () {
      for await (const b of left) yield pairUp(b);
    })();
  }
  return (function* () {
    for (const b of left) yield pairUp(b);
  })();
}

function concatStreams(parts: BatchStream<unknown>[]): BatchStream<unknown> {
  if (parts.some(isAsyncStream)) {
    return (async function* () {
      for (const p of parts) yield* p as AsyncIterable<unknown[]>;
    })();
  }
  return (function* () {
    for (const p of parts) yield* p as Iterable<unknown[]>;
  })();
}

/** Builds the stream for a plan. Async only where functions must be revived (imports). */
export async function buildStream(plan: PartitionPlan): Promise<BatchStream<unknown>> {
  switch (plan.kind) {
    case "narrow": {
      let s = await buildStream(plan.parent);
      for (const step of plan.steps) {
        const fns: Function[] = [];
        for (const id of step.fns ?? []) fns.push(await functionFor(id));
        const ctx = { partitionIndex: plan.partitionIndex, fns, args: step.args };
        s = stepOperator(step.op)(s, ctx);
      }
      return s;
    }
    case "zip":
      return zipStreams(await buildStream(plan.left), await buildStream(plan.right));
    case "cartesian": {
      const right = await collectStream(await buildStream(plan.right));
      return cartesianStreams(await buildStream(plan.left), right);
    }
    case "hash-join":
      return hashJoinStreams(await buildStream(plan.left), await buildStream(plan.right), plan.how);
    case "concat":
      return concatStreams(await Promise.all(plan.parents.map(buildStream)));
    case "cached":
      return cachedStream(plan.blockId, plan.level, () => buildStream(plan.compute));
    default:
      return openSource(plan);
  }
}

export interface TaskOutcome {
  records: unknown[];
}

export async function runTask(task: TaskDescription): Promise<TaskOutcome> {
  for (const [id, bytes] of task.closures) closureBytes.set(id, bytes);
  const stream = await buildStream(task.plan);
  const records = await collectStream(stream);
  return { records };
}
