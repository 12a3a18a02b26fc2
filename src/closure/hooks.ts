/**
 * Symbols through which engine objects tell the closure serializer how to treat them.
 * They are registered symbols (Symbol.for) so every copy of tspark in a process agrees.
 */

/**
 * An object whose `[UNSHIPPABLE]` property is a string (what it is, e.g. "the SparkContext")
 * is refused at capture time: it exists only on the driver.
 */
export const UNSHIPPABLE: unique symbol = Symbol.for("tspark.unshippable");

/**
 * An object with a method `[CAPTURE_AS]()` crosses by reference: the method returns a
 * descriptor and the worker rebuilds the object as `await (await import(module))[export](...args)`
 * (the factory may be async).
 */
export const CAPTURE_AS: unique symbol = Symbol.for("tspark.captureAs");

export interface CaptureAsDescriptor {
  /** Absolute file URL of a tspark module. */
  module: string;
  /** Name of the factory function exported by that module. */
  export: string;
  /** Plain structured-clonable data passed to the factory. */
  args: unknown[];
}
