/**
 * Operators a task can apply, registered under stable string ids (the `op` of a plan Step).
 * A task description names operators by id; the worker builds its pipeline from this
 * registry, so tasks are plain data and no code is generated per task.
 */
import type { BatchStream } from "../batch-stream.js";
import { TsparkError } from "../../errors.js";
import type { TaskScope } from "../task-context.js";
import type { StepArgs, StepOp } from "../../scheduler/step-args.js";

export interface StepContext<Op extends StepOp = StepOp> {
  /** Index of the partition of the RDD this step belongs to. */
  partitionIndex: number;
  /** The revived user functions, in the order the step lists them. */
  fns: Function[];
  /** The step's arguments, as the step contract (scheduler/step-args.ts) types them for `op`. */
  args: StepArgs[Op];
  /** The running task: its metrics, memory budget, spill directory and cleanups. */
  task: TaskScope;
}

export type StepOperator<Op extends StepOp = StepOp> = (input: BatchStream<unknown>, ctx: StepContext<Op>) => BatchStream<unknown>;

/** Operators by op; each was registered with the StepOperator type of its own op. */
const operators = new Map<StepOp, StepOperator<never>>();

export function registerStep<Op extends StepOp>(op: Op, impl: StepOperator<Op>): void {
  if (operators.has(op)) throw new Error(`step operator "${op}" registered twice`);
  operators.set(op, impl);
}

export function stepOperator<Op extends StepOp>(op: Op): StepOperator<Op> {
  const impl = operators.get(op);
  if (!impl) throw new TsparkError("PROTOCOL", `unknown step operator "${op}" (driver and worker versions differ?)`);
  return impl as StepOperator<Op>; // registered under `op` with this type (registerStep)
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
