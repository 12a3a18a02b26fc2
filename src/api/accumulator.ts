/**
 * Accumulators: variables tasks can only add to. Each task adds into its own copy (from
 * the zero value); the driver merges a task's total when the task succeeds, so retried
 * or failed attempts are never double-counted. Reading `.value` in a task is an error.
 */
import { CAPTURE_AS, type CaptureAsDescriptor } from "../closure/hooks.js";
import { captureClosure } from "../closure/capture.js";
import { reviveClosure } from "../closure/revive.js";
import { accumulatorSlot, inWorker } from "../worker/task-context.js";
import { TsparkError } from "../errors.js";
import { cloneValue, deserializeValue, serializeValue } from "../serde/value-codec.js";

/** How values of a custom type combine: `zero(v)` is an empty value shaped like v. */
export interface AccumulatorParam<T> {
  /**
   * An empty value shaped like `value`: each task's copy starts from it.
   *
   * @example
   * ```ts
   * const maxParam: AccumulatorParam<number> = { zero: () => -Infinity, addInPlace: (a, b) => Math.max(a, b) };
   * const largest = sc.accumulator(-Infinity, maxParam);
   * await sc.parallelize([3, 9, 4]).foreach((x) => largest.add(x));
   * largest.value; // → 9
   * ```
   */
  zero(value: T): T;
  /**
   * Combines two values (may modify and return `a`).
   *
   * @example
   * ```ts
   * const union: AccumulatorParam<Set<string>> = { zero: () => new Set(), addInPlace: (a, b) => new Set([...a, ...b]) };
   * const tags = sc.accumulator(new Set<string>(), union);
   * await sc.parallelize(["x y", "y z"]).foreach((line) => tags.add(new Set(line.split(" "))));
   * [...tags.value].sort(); // → ["x", "y", "z"]
   * ```
   */
  addInPlace(a: T, b: T): T;
}

const numeric: AccumulatorParam<number> = { zero: () => 0, addInPlace: (a, b) => a + b };

/**
 * `const n = sc.accumulator(0); rdd.foreach((x) => n.add(1)); n.value` — the number of records.
 */
export class Accumulator<T> {
  private current: T;
  private readonly zero: T;

  /**
   * @internal Made by `sc.accumulator(value, param)`.
   * @param id The accumulator's id within its SparkContext.
   */
  constructor(readonly id: number, value: T, private readonly param: AccumulatorParam<T> = numeric as unknown as AccumulatorParam<T>) {
    this.current = value;
    this.zero = param.zero(value);
  }

  /**
   * The accumulated value (driver only).
   *
   * @example
   * ```ts
   * const n = sc.accumulator(0);
   * await sc.parallelize([1, 2, 3]).foreach(() => n.add(1));
   * n.value; // → 3
   * // In a task, reading it is an error:
   * await sc.parallelize([1]).map(() => n.value).collect().catch((e: TsparkError) => e.code); // → "TASK_FAILED"
   * ```
   */
  get value(): T {
    if (inWorker()) throw new TsparkError("INVALID_ARGUMENT", `Accumulator ${this.id}: its value can only be read on the driver`);
    return this.current;
  }

  set value(v: T) {
    this.current = v;
  }

  /**
   * Adds a term (in a task: to the task's local copy; on the driver: to the value).
   *
   * @example
   * ```ts
   * const bytes = sc.accumulator(0);
   * await sc.parallelize(["ab", "cde"]).foreach((s) => bytes.add(s.length));
   * bytes.add(10); // on the driver: adds to the value
   * bytes.value; // → 15
   * ```
   */
  add(term: T): void {
    this.current = this.param.addInPlace(this.current, term);
  }

  /** @internal Merges a successful task's local total. */
  _merge(update: T): void {
    this.current = this.param.addInPlace(this.current, update);
  }

  /**
   * The value, as a string (driver side).
   *
   * @example
   * ```ts
   * const n = sc.accumulator(5);
   * String(n); // → "5"
   * ```
   */
  toString(): string {
    return String(this.current);
  }

  /** @internal Crosses to workers by id, with the zero value and (if custom) the addInPlace function. */
  [CAPTURE_AS](): CaptureAsDescriptor {
    // A custom addInPlace travels as a closure bound to its param object (its `this`).
    const add = this.param === (numeric as unknown) ? null : captureClosure(this.param.addInPlace.bind(this.param), "accumulator addInPlace").bytes;
    // The zero value as record bytes: an instance of the user's class stays one.
    return { module: import.meta.url, export: "workerAccumulator", args: [this.id, serializeValue(this.zero, "the accumulator's zero value"), add] };
  }
}

/** A task's side of an accumulator: adds into the running task's slot. */
class WorkerAccumulator<T> {
  constructor(readonly id: number, private readonly zero: T, private readonly addInPlace: (a: T, b: T) => T) {}

  get value(): T {
    throw new TsparkError("INVALID_ARGUMENT", `Accumulator ${this.id}: its value can only be read on the driver; tasks may only add() to it`);
  }

  add(term: T): void {
    const slot = accumulatorSlot(this.id);
    slot.set(this.addInPlace(slot.has() ? (slot.get() as T) : cloneValue(this.zero), term));
  }
}

/** @internal Worker-side factory named by the capture descriptor. */
export async function workerAccumulator<T>(id: number, zeroBytes: Uint8Array, addBytes: Uint8Array | null): Promise<WorkerAccumulator<T>> {
  const add = addBytes ? ((await reviveClosure(addBytes)) as (a: T, b: T) => T) : ((a: T, b: T) => ((a as number) + (b as number)) as T);
  return new WorkerAccumulator(id, deserializeValue<T>(zeroBytes), add);
}

