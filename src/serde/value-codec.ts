/**
 * Serialization of any value that crosses a process boundary as data (records of a batch
 * that does not fit the column layout, task results, broadcast values, accumulator values,
 * parallelized slices, object files): V8's structured serialization, which keeps Map, Set,
 * Date, bigint, typed arrays, Buffer, -0, NaN, undefined, sparse arrays and shared and
 * cyclic references, extended so that instances of the user's classes (and objects without
 * a prototype) come back with their prototype.
 *
 * V8's serializer writes a class instance as a plain object and offers no hook for it, so a
 * value holding one is first copied with each instance replaced by a marker object naming
 * its class (by its id in record-classes.ts) and holding its own data; the decoder puts the
 * prototypes back. A value without class instances, the common case, is checked by one
 * walk and written as V8 writes it, unchanged: the format is V8's own, first byte 0xFF.
 * A value with classes starts with CLASSED and holds [class ids, copy].
 */
import v8 from "node:v8";
import { TsparkError } from "../errors.js";
import { recordClass, recordClassId } from "./record-classes.js";

const V8_VERSION_TAG = 0xff;
const CLASSED = 0xcc;
/** The one key of a marker object: [class index (-1: no prototype), the instance's data]. */
const MARK = "\u0000tspark.class";
/** Nesting past which the quick check gives up and the full copy (cycle-safe) decides. */
const QUICK_DEPTH = 48;

/** Prototypes of the built-ins V8 serializes itself, with no user values inside (or Error's own). */
const LEAF_PROTOS = new Set<unknown>(
  [
    Date, RegExp, ArrayBuffer, SharedArrayBuffer, DataView, Buffer, Number, String, Boolean, BigInt,
    Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError, AggregateError,
    Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array,
  ].map((c) => c.prototype),
);
/** Prototypes a class instance may be built on, besides Object's: the base whose data is copied. */
const CONTAINER_PROTOS: readonly object[] = [Array.prototype, Map.prototype, Set.prototype];

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
    if (plain(value, 0)) return v8.serialize(value);
    const classes = new ClassTable();
    const copy = toWire(value, classes, new Map());
    if (classes.ids.length === 0) return v8.serialize(copy);
    const body = v8.serialize([classes.ids, copy]);
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
  const [ids, copy] = v8.deserialize(bytes.subarray(1)) as [string[], unknown];
  const classes = ids.map((id) => {
    const c = recordClass(id);
    if (!c) {
      throw new TsparkError(
        "UNSERIALIZABLE",
        `a record is an instance of class ${id}, which this program does not know (records read from an object file another program wrote?): ` +
          "use the class in a function passed to tspark (import it from its module: a class declared in a program file is known by that file only)",
      );
    }
    return c as { prototype: object };
  });
  return fromWire(copy, classes, new Map()) as T;
}

/** A deep copy through serialization (a fold's zero value for each partition). */
export function cloneValue<T>(value: T, what?: string): T {
  return deserializeValue<T>(serializeValue(value, what));
}

/** True when V8 can write `value` as it is: no class instance or prototype-less object inside. */
function plain(v: unknown, depth: number): boolean {
  if (typeof v !== "object" || v === null) return true;
  if (depth > QUICK_DEPTH) return false;
  const p = Object.getPrototypeOf(v) as unknown;
  if (p === Array.prototype) {
    const a = v as unknown[];
    for (let i = 0; i < a.length; i++) {
      const x = a[i];
      if (typeof x === "object" && x !== null && !plain(x, depth + 1)) return false;
    }
    return true;
  }
  if (p === Object.prototype) {
    for (const k in v) {
      const x = (v as Record<string, unknown>)[k];
      if (typeof x === "object" && x !== null && !plain(x, depth + 1)) return false;
    }
    return true;
  }
  if (p === Map.prototype) {
    for (const [k, x] of v as Map<unknown, unknown>) if (!plain(k, depth + 1) || !plain(x, depth + 1)) return false;
    return true;
  }
  if (p === Set.prototype) {
    for (const x of v as Set<unknown>) if (!plain(x, depth + 1)) return false;
    return true;
  }
  return LEAF_PROTOS.has(p);
}

class ClassTable {
  readonly ids: string[] = [];
  private readonly index = new Map<string, number>();

  of(id: string): number {
    let i = this.index.get(id);
    if (i === undefined) {
      i = this.ids.length;
      this.ids.push(id);
      this.index.set(id, i);
    }
    return i;
  }
}

/** Raised inside the copy for a class that has no id: the caller reports it with its path. */
class UnlocatedClass extends Error {}

function setKey(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === "__proto__") Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
  else o[k] = v;
}

function copyProps(from: object, to: Record<string, unknown>, classes: ClassTable, memo: Map<object, unknown>): void {
  for (const k of Object.keys(from)) setKey(to, k, toWire((from as Record<string, unknown>)[k], classes, memo));
}

/** A copy of `v` that V8 can write, class instances replaced by markers; shared objects stay shared. */
function toWire(v: unknown, classes: ClassTable, memo: Map<object, unknown>): unknown {
  if (typeof v !== "object" || v === null) return v;
  const seen = memo.get(v);
  if (seen !== undefined) return seen;
  const p = Object.getPrototypeOf(v) as object | null;
  if (LEAF_PROTOS.has(p)) return v;
  if (p === Object.prototype || p === Array.prototype || p === Map.prototype || p === Set.prototype) return copyBase(v, p, classes, memo);
  const data: unknown[] = [];
  const marker = { [MARK]: data };
  memo.set(v, marker);
  if (p === null) {
    const copy: Record<string, unknown> = {};
    data.push(-1, copy);
    copyProps(v, copy, classes, memo);
    return marker;
  }
  const ctor = Object.getOwnPropertyDescriptor(p, "constructor")?.value as unknown;
  const id = typeof ctor === "function" ? recordClassId(ctor) : undefined;
  if (id === undefined) throw new UnlocatedClass();
  data.push(classes.of(id));
  let base: object | null = p;
  while (base && base !== Object.prototype && !CONTAINER_PROTOS.includes(base) && !LEAF_PROTOS.has(base)) base = Object.getPrototypeOf(base) as object | null;
  // A class built on a built-in V8 writes itself (Date, Error, typed arrays): only the prototype is put back.
  if (base && LEAF_PROTOS.has(base)) data.push(v);
  else {
    const b = base ?? Object.prototype;
    const copy = b === Object.prototype ? {} : b === Array.prototype ? [] : b === Map.prototype ? new Map() : new Set();
    data.push(copy);
    fillBase(v, copy, b, classes, memo);
  }
  return marker;
}

function copyBase(v: object, p: object, classes: ClassTable, memo: Map<object, unknown>): unknown {
  const copy = p === Object.prototype ? {} : p === Array.prototype ? [] : p === Map.prototype ? new Map() : new Set();
  memo.set(v, copy);
  fillBase(v, copy, p, classes, memo);
  return copy;
}

function fillBase(v: object, copy: object, base: object, classes: ClassTable, memo: Map<object, unknown>): void {
  if (base === Array.prototype) {
    const a = v as unknown[];
    const out = copy as unknown[];
    out.length = a.length;
    for (const k of Object.keys(a)) setKey(out as unknown as Record<string, unknown>, k, toWire((a as unknown as Record<string, unknown>)[k], classes, memo));
  } else if (base === Map.prototype) {
    for (const [k, x] of v as Map<unknown, unknown>) (copy as Map<unknown, unknown>).set(toWire(k, classes, memo), toWire(x, classes, memo));
  } else if (base === Set.prototype) {
    for (const x of v as Set<unknown>) (copy as Set<unknown>).add(toWire(x, classes, memo));
  } else copyProps(v, copy as Record<string, unknown>, classes, memo);
}

function isMarker(o: object): o is { [MARK]: [number, unknown] } {
  return Object.prototype.hasOwnProperty.call(o, MARK);
}

/** `v` (fresh from V8, so changed in place) with markers replaced by instances of their classes. */
function fromWire(v: unknown, classes: Array<{ prototype: object }>, memo: Map<object, unknown>): unknown {
  if (typeof v !== "object" || v === null) return v;
  const seen = memo.get(v);
  if (seen !== undefined) return seen;
  const p = Object.getPrototypeOf(v) as unknown;
  if (p === Object.prototype) {
    if (isMarker(v)) return instance(v, classes, memo);
    memo.set(v, v);
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      const x = o[k];
      if (typeof x === "object" && x !== null) setKey(o, k, fromWire(x, classes, memo));
    }
    return v;
  }
  memo.set(v, v);
  if (p === Array.prototype) {
    const a = v as unknown[];
    for (const k of Object.keys(a)) {
      const x = (a as unknown as Record<string, unknown>)[k];
      if (typeof x === "object" && x !== null) (a as unknown as Record<string, unknown>)[k] = fromWire(x, classes, memo);
    }
  } else if (p === Map.prototype) {
    const m = v as Map<unknown, unknown>;
    const entries = [...m].map(([k, x]) => [fromWire(k, classes, memo), fromWire(x, classes, memo)] as const);
    m.clear();
    for (const [k, x] of entries) m.set(k, x);
  } else if (p === Set.prototype) {
    const s = v as Set<unknown>;
    const items = [...s].map((x) => fromWire(x, classes, memo));
    s.clear();
    for (const x of items) s.add(x);
  }
  return v;
}

function instance(marker: { [MARK]: [number, unknown] }, classes: Array<{ prototype: object }>, memo: Map<object, unknown>): unknown {
  const [index, data] = marker[MARK];
  const proto = index < 0 ? null : classes[index]!.prototype;
  const dataProto = Object.getPrototypeOf(data) as unknown;
  if (dataProto !== Object.prototype) {
    // A class built on Array, Map, Set or a built-in V8 writes: the data becomes the instance.
    memo.set(marker, data);
    fromWire(data, classes, memo);
    Object.setPrototypeOf(data, proto);
    return data;
  }
  // Made with its prototype (setting one later slows V8's property access on the object).
  const o = Object.create(proto) as Record<string, unknown>;
  memo.set(marker, o);
  for (const k of Object.keys(data as object)) {
    const x = fromWire((data as Record<string, unknown>)[k], classes, memo);
    // An accessor of the class must not see the restore as an assignment.
    if (k in o || k === "__proto__") Object.defineProperty(o, k, { value: x, writable: true, enumerable: true, configurable: true });
    else o[k] = x;
  }
  return o;
}

// ---- errors ----------------------------------------------------------------------------

/** What cannot be serialized in `value`, with its path, as the user's error. */
function unserializable(value: unknown, what: string, cause: unknown): TsparkError {
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
