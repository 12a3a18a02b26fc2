/**
 * Serialization of any value that crosses a process boundary as data (records of a batch
 * that does not fit the column layout, task results, broadcast values, accumulator values,
 * parallelized slices, object files): V8's structured serialization, which keeps Map, Set,
 * Date, bigint, typed arrays, Buffer, -0, NaN, undefined, sparse arrays and shared and
 * cyclic references, extended so that instances of the user's classes (and objects without
 * a prototype) come back with their prototype.
 *
 * V8's serializer writes a class instance as a plain object (an Array, Map or Error subclass
 * as its base) and offers no hook for it. So the value is written as V8 writes it, and beside
 * it a table of where its class instances are: each one's position in a depth-first walk of
 * the value that visits each object once, and its class (by its id in record-classes.ts).
 * The decoder walks the value V8 rebuilt in the same order (V8 keeps keys in their order,
 * shared objects shared) and puts the prototypes back. A value without class instances, the
 * common case, is checked by one quick walk and written exactly as V8 writes it (first byte
 * 0xFF); one with classes starts with CLASSED and holds [class ids, positions, value].
 */
import v8 from "node:v8";
import { TsparkError } from "../errors.js";
import { recordClass, recordClassId } from "./record-classes.js";

const V8_VERSION_TAG = 0xff;
const CLASSED = 0xcc;
/** Objects past which the quick check gives up and the full walk (cycle-safe) decides. */
const QUICK_OBJECTS = 1 << 18;
/** The class index of an object without a prototype. */
const NO_PROTOTYPE = -1;

/** Prototypes of the built-ins V8 serializes itself, with no user values inside (or Error's own). */
const LEAF_PROTOS = new Set<unknown>(
  [
    Date, RegExp, ArrayBuffer, SharedArrayBuffer, DataView, Buffer, Number, String, Boolean, BigInt,
    Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError, AggregateError,
    Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array,
  ].map((c) => c.prototype),
);
/** Prototypes whose contents the walk enters: the bases of class instances too. */
const CONTAINER_PROTOS: readonly object[] = [Object.prototype, Array.prototype, Map.prototype, Set.prototype];

/** Whether `bytes` begin as serializeValue's output does (V8's version tag, or CLASSED). */
export function isSerializedValue(bytes: Uint8Array): boolean {
  return bytes.length > 0 && (bytes[0] === V8_VERSION_TAG || bytes[0] === CLASSED);
}

/**
 * Bytes of `value`. `what` names it in errors ("a record of the batch", "the broadcast
 * value"): a value that cannot be serialized fails with UNSERIALIZABLE, naming the path
 * inside it and what is there.
 */
export function serializeValue(value: unknown, what = "the value"): Buffer {
  try {
    if (plain(value)) return v8.serialize(value);
    const found = classPositions(value);
    if (found.positions.length === 0) return v8.serialize(value);
    const body = v8.serialize([found.ids, Int32Array.from(found.positions), value]);
    const out = Buffer.allocUnsafe(body.length + 1);
    out[0] = CLASSED;
    body.copy(out, 1);
    return out;
  } catch (e) {
    if (e instanceof TsparkError) throw e;
    throw unserializable(value, what, e);
  }
}

export function deserializeValue<T>(bytes: Uint8Array): T {
  if (bytes.length === 0 || bytes[0] !== CLASSED) return v8.deserialize(bytes) as T;
  const [ids, positions, value] = v8.deserialize(bytes.subarray(1)) as [string[], Int32Array, unknown];
  const protos = ids.map((id) => {
    const c = recordClass(id);
    if (!c) {
      throw new TsparkError(
        "UNSERIALIZABLE",
        `a record is an instance of class ${id}, which this program does not know (records read from an object file another program wrote?): ` +
          "use the class in a function passed to tspark (import it from its module: a class declared in a program file is known by that file only)",
      );
    }
    return (c as { prototype: object }).prototype;
  });
  let next = 0;
  walk(value, (o, index) => {
    if (positions[next] !== index) return false;
    const k = positions[next + 1]!;
    Object.setPrototypeOf(o, k === NO_PROTOTYPE ? null : protos[k]!);
    next += 2;
    return next >= positions.length; // every prototype is back: stop
  });
  if (next < positions.length) throw new TsparkError("PROTOCOL", `corrupt value: ${(positions.length - next) / 2} of its class instances were not found`);
  return value as T;
}

/** A deep copy through serialization (a fold's zero value for each partition). */
export function cloneValue<T>(value: T, what?: string): T {
  return deserializeValue<T>(serializeValue(value, what));
}

/**
 * True when V8 can write `value` as it is: no class instance or prototype-less object inside.
 * A loop over a work list, not recursion (a call per nested array costs more than the check
 * itself); past QUICK_OBJECTS objects (a large value, or a cycle) it gives up and the full
 * walk, which visits each object once, decides.
 */
function plain(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return true;
  const stack: object[] = [value];
  let objects = 0;
  while (stack.length > 0) {
    const v = stack.pop()!;
    if (++objects > QUICK_OBJECTS) return false;
    const p = Object.getPrototypeOf(v) as unknown;
    if (p === Array.prototype) {
      const a = v as unknown[];
      for (let i = 0; i < a.length; i++) {
        const x = a[i];
        if (typeof x === "object" && x !== null) stack.push(x);
      }
    } else if (p === Object.prototype) {
      for (const k in v) {
        const x = (v as Record<string, unknown>)[k];
        if (typeof x === "object" && x !== null) stack.push(x);
      }
    } else if (p === Map.prototype) {
      for (const [k, x] of v as Map<unknown, unknown>) {
        if (typeof k === "object" && k !== null) stack.push(k);
        if (typeof x === "object" && x !== null) stack.push(x);
      }
    } else if (p === Set.prototype) {
      for (const x of v as Set<unknown>) if (typeof x === "object" && x !== null) stack.push(x);
    } else if (!LEAF_PROTOS.has(p)) return false;
  }
  return true;
}

/** Raised by the walk for a class that has no id: the caller reports it with its path. */
class UnlocatedClass extends Error {}

/** The class ids a value's instances name, and [walk position, class index] of each instance. */
function classPositions(value: unknown): { ids: string[]; positions: number[] } {
  const ids: string[] = [];
  const index = new Map<string, number>();
  const positions: number[] = [];
  const byProto = new Map<object, number>();
  walk(value, (o, at) => {
    const p = Object.getPrototypeOf(o) as object | null;
    if (p === null) {
      positions.push(at, NO_PROTOTYPE);
      return false;
    }
    if (CONTAINER_PROTOS.includes(p) || LEAF_PROTOS.has(p)) return false;
    let k = byProto.get(p);
    if (k === undefined) {
      const ctor = Object.getOwnPropertyDescriptor(p, "constructor")?.value as unknown;
      const id = typeof ctor === "function" ? recordClassId(ctor) : undefined;
      if (id === undefined) throw new UnlocatedClass();
      k = index.get(id);
      if (k === undefined) {
        k = ids.length;
        ids.push(id);
        index.set(id, k);
      }
      byProto.set(p, k);
    }
    positions.push(at, k);
    return false;
  });
  return { ids, positions };
}

/** The prototype whose contents a walk enters for an object of prototype `p` (a class's base), or undefined for a leaf. */
function baseOf(p: object | null): object | undefined {
  for (let b = p; b !== null; b = Object.getPrototypeOf(b) as object | null) {
    if (CONTAINER_PROTOS.includes(b)) return b;
    if (LEAF_PROTOS.has(b)) return undefined;
  }
  return Object.prototype; // no prototype at all: an ordinary object
}

/**
 * Visits every object of `value` once, depth first, children in the order V8 writes them
 * (own enumerable keys in order; array elements; Map and Set entries), passing each one's
 * position; `visit` returning true ends the walk. Entering contents by an object's base, not
 * its prototype, gives the same walk over the original value and the one V8 rebuilt. A work
 * list, not recursion: deep values do not exhaust the stack.
 */
function walk(value: unknown, visit: (o: object, position: number) => boolean): void {
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  let position = 0;
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v !== "object" || v === null || seen.has(v)) continue;
    seen.add(v);
    if (visit(v, position++)) return;
    const base = baseOf(Object.getPrototypeOf(v) as object | null);
    const from = stack.length;
    if (base === Array.prototype) {
      const a = v as unknown[];
      for (let i = 0; i < a.length; i++) if (i in a) stack.push(a[i]);
    } else if (base === Map.prototype) {
      for (const [k, x] of v as Map<unknown, unknown>) stack.push(k, x);
    } else if (base === Set.prototype) {
      for (const x of v as Set<unknown>) stack.push(x);
    } else if (base === Object.prototype) {
      for (const k of Object.keys(v)) stack.push((v as Record<string, unknown>)[k]);
    }
    // Pushed in order, popped in reverse: reverse them so the first child is visited first.
    for (let i = from, j = stack.length - 1; i < j; i++, j--) {
      const t = stack[i];
      stack[i] = stack[j];
      stack[j] = t;
    }
  }
}

// ---- errors ----------------------------------------------------------------------------

/** What cannot be serialized in `value`, with its path, as the user's error. */
function unserializable(value: unknown, what: string, cause: unknown): TsparkError {
  // V8's serializer recurses: a chain of some thousands of nested objects exhausts its stack.
  if (cause instanceof RangeError) {
    return new TsparkError("UNSERIALIZABLE", `cannot serialize ${what}: it nests objects too deeply for V8's serializer (${cause.message}). Keep records shallow: a long chain of objects is better sent as an array`, { cause });
  }
  const found = findUnserializable(value);
  const detail = found ? `${found.desc} at ${what}${found.path}` : `${what}: ${cause instanceof Error ? cause.message : String(cause)}`;
  const advice = found?.advice ?? "Records, results, broadcast and accumulator values must be data: primitives, arrays, plain objects, Map, Set, Date, typed arrays, Buffer, and instances of classes defined in your program, its modules or npm packages";
  return new TsparkError("UNSERIALIZABLE", `cannot serialize ${detail}. ${advice}`, { cause });
}

const UNCLONEABLE = new Map<unknown, string>(
  [
    [WeakMap, "a WeakMap"],
    [WeakSet, "a WeakSet"],
    [WeakRef, "a WeakRef"],
    [Promise, "a Promise (await it first)"],
  ].map(([c, d]) => [(c as { prototype: object }).prototype, d as string]),
);

function describe(v: unknown): string {
  if (typeof v === "function") {
    const src = Function.prototype.toString.call(v);
    return `a function (${src.length > 40 ? `${src.slice(0, 37)}...` : src})`;
  }
  return `a symbol (${String(v)})`;
}

/** A depth-first search for the first value V8 or the class table cannot write. */
export function findUnserializable(value: unknown): { path: string; desc: string; advice?: string } | undefined {
  const seen = new Set<object>();
  const stack: Array<[unknown, string]> = [[value, ""]];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (typeof v === "function" || typeof v === "symbol") return { path, desc: describe(v) };
    if (typeof v !== "object" || v === null || seen.has(v)) continue;
    seen.add(v);
    const p = Object.getPrototypeOf(v) as object | null;
    const known = UNCLONEABLE.get(p);
    if (known) return { path, desc: known };
    if (LEAF_PROTOS.has(p)) continue;
    const children: Array<[unknown, string]> = [];
    if (p === Map.prototype || v instanceof Map) {
      let i = 0;
      for (const [k, x] of v as Map<unknown, unknown>) {
        children.push([k, `${path}.<key ${i}>`], [x, `${path}.get(${keyText(k)})`]);
        i++;
      }
    } else if (p === Set.prototype || v instanceof Set) {
      let i = 0;
      for (const x of v as Set<unknown>) children.push([x, `${path}.<item ${i++}>`]);
    } else {
      if (p !== null && p !== Object.prototype && p !== Array.prototype) {
        const ctor = Object.getOwnPropertyDescriptor(p, "constructor")?.value as unknown;
        const name = typeof ctor === "function" && ctor.name ? ctor.name : "anonymous class";
        if (typeof ctor !== "function" || recordClassId(ctor) === undefined) {
          return {
            path,
            desc: `an instance of ${typeof ctor === "function" ? `class ${name}` : "an object made with Object.create"}, which tspark cannot locate`,
            advice: "A record's class must be one tspark can name in every process: define it at the top level of your program or one of its modules (or import it from a package), and use it in a function passed to tspark, or create such records on the driver",
          };
        }
      }
      for (const k of Object.keys(v)) children.push([(v as Record<string, unknown>)[k], Array.isArray(v) ? `${path}[${k}]` : `${path}${/^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`}`]);
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return undefined;
}

function keyText(k: unknown): string {
  return typeof k === "string" ? JSON.stringify(k) : typeof k === "number" || typeof k === "bigint" || typeof k === "boolean" ? String(k) : "...";
}
