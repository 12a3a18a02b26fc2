/**
 * Operators a task can apply, registered under stable string ids (the `op` of a plan Step).
 * A task description names operators by id; the worker builds its pipeline from this
 * registry, so tasks are plain data and no code is generated per task.
 */
import type { BatchStream } from "../batch-stream.js";
import { TsparkError } from "../../errors.js";
import type { TaskScope } from "../task-context.js";

export interface StepContext {
  /** Index of the partition of the RDD this step belongs to. */
  partitionIndex: number;
  /** The revived user functions, in the order the step lists them. */
  fns: Function[];
  args: unknown;
  /** The running task: its metrics, memory budget, spill directory and cleanups. */
  task: TaskScope;
}

export type StepOperator = (input: BatchStream<unknown>, ctx: StepContext) => BatchStream<unknown>;

const operators = new Map<string, StepOperator>();

export function registerStep(op: string, impl: StepOperator): void {
  if (operators.has(op)) throw new Error(`step operator "${op}" registered twice`);
  operators.set(op, impl);
}

export function stepOperator(op: string): StepOperator {
  const impl = operators.get(op);
  if (!impl) throw new TsparkError("PROTOCOL", `unknown step operator "${op}" (driver and worker versions differ?)`);
  return impl;
}

/** The step's i-th function, with a clear error if the plan lacks it. */
export function requireFn<F extends Function>(ctx: StepContext, op: string, i = 0): F {
  const f = ctx.fns[i];
  if (typeof f !== "function") throw new TsparkError("PROTOCOL", `step "${op}" arrived without its function #${i}`);
  return f as F;
}

/** The step's i-th function if it has one (optional key functions). */
export function optionalFn<F extends Function>(ctx: StepContext, i = 0): F | undefined {
  return ctx.fns[i] as F | undefined;
}
