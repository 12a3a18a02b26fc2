/**
 * How the engine's own modules (RDDs, the shell, tests) reach a SparkContext's driver
 * runtime: through this module, not through methods on the context, so the public API
 * (and the shell's Tab completion) shows only what users call.
 */
import type { DriverRuntime } from "./driver-runtime.js";

const runtimes = new WeakMap<object, DriverRuntime>();

/** Called once by the SparkContext that owns `runtime`. */
export function registerRuntime(context: object, runtime: DriverRuntime): void {
  runtimes.set(context, runtime);
}

/** The driver runtime behind a SparkContext. */
export function runtimeOf(context: object): DriverRuntime {
  const rt = runtimes.get(context);
  if (!rt) throw new Error("not a SparkContext (no driver runtime)");
  return rt;
}
