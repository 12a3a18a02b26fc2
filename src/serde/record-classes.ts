/**
 * The classes whose instances cross process boundaries as instances (in records, results,
 * broadcast values, accumulators), by id. An id names one class of the driver's program:
 * the driver gives it when it captures the class (closure/capture.ts), workers register
 * the copies they revive under it, and an encoded record names its classes by id only
 * (value-codec.ts). As cloudpickle does for classes of a program's main module, a process
 * keeps the first class revived under an id: later closures reuse it, so instances made by
 * different functions share one class in a worker.
 */
const idOf = new WeakMap<Function, string>();
const byId = new Map<string, Function>();

/** Where the driver finds an id for a class no closure has captured yet (unset in workers). */
let locator: ((ctor: Function) => string | undefined) | undefined;

/** Registers `ctor` under `id` unless a class is registered there already (the first stays); a class keeps its first id. */
export function registerRecordClass(id: string, ctor: Function): void {
  if (!byId.has(id)) byId.set(id, ctor);
  if (!idOf.has(ctor)) idOf.set(ctor, id);
}

export function recordClass(id: string): Function | undefined {
  return byId.get(id);
}

/** The id `ctor` is registered under, if it is. */
export function registeredClassId(ctor: Function): string | undefined {
  return idOf.get(ctor);
}

/** The id of `ctor`: registered, or found by the driver's locator; undefined when it cannot be located. */
export function recordClassId(ctor: Function): string | undefined {
  return idOf.get(ctor) ?? locator?.(ctor);
}

/** Every registered class (on the driver: what tasks must be able to decode). */
export function recordClasses(): IterableIterator<[string, Function]> {
  return byId.entries();
}

/** The driver's way to name a class met for the first time while encoding (see capture.ts). */
export function setRecordClassLocator(f: ((ctor: Function) => string | undefined) | undefined): void {
  locator = f;
}
