/**
 * The wire format of a captured closure: a graph of nodes (functions, objects, imports...)
 * in which every value slot is either a primitive stored as itself or a reference to a node.
 * Identity and cycles survive because every object is a node and is referenced by index.
 *
 * bytes = "TSC" + FORMAT_VERSION (one byte) + v8.serialize({ root, nodes })
 *
 * v8's serializer handles the leaf data natively (bigint, NaN, -0, undefined, Uint8Array),
 * and is deterministic for equal input, so equal captures give equal bytes and ids.
 */
import v8 from "node:v8";
import { TsparkError } from "../errors.js";

export const FORMAT_VERSION = 1;
const MAGIC = [0x54, 0x53, 0x43]; // "TSC"

/** A reference to node `r` of the graph. */
export interface Ref {
  r: number;
}

/** A value: primitives as themselves (symbols are nodes), objects as references. */
export type Slot = undefined | null | boolean | number | bigint | string | Ref;

/** A property key: a string, or a reference to a symbol node. */
export type Key = string | Ref;

export type Props = Array<[Key, Slot]>;

/** How a function's source text must be wrapped to be evaluated again. */
export type FnForm =
  | "expr" //     arrow functions, function expressions/declarations, classes: `(SRC)`
  | "method"; //  object/class method shorthand, getters, setters: `({SRC})`, then its one property

export interface FnNode {
  k: "fn";
  form: FnForm;
  /** True for classes: their captured names must be bound before the source is evaluated. */
  isClass: boolean;
  /** Source text (rewritten with equal-length substitutions, so positions are unchanged). */
  src: string;
  /** URL of the script the function was defined in ("" when it had none). */
  url: string;
  /** 0-based position of the first character of `src` in that script. */
  line: number;
  col: number;
  name: string;
  /** Free variables of the source, bound in the revived function's scope. */
  captures: Array<[string, Slot]>;
  /** Own enumerable properties of the function object (static fields, attached data). */
  props: Props;
  /** Own enumerable properties of `fn.prototype` (methods attached ES5-style). */
  protoProps?: Props;
  /** The `this` of an arrow function that uses it (class field arrows: the instance). */
  thisArg?: Slot;
  /** Defined in strict code (an ES module): revived in strict mode too. */
  strict?: boolean;
  /**
   * A class's id among record classes (serde/record-classes.ts): its instances in records
   * name it, and a worker reuses the class it revived first under this id.
   */
  cls?: string;
}

export type Node =
  | { k: "obj"; proto?: Slot; props: Props }
  | { k: "arr"; items: Slot[]; props?: Props; proto?: Slot }
  | { k: "map"; entries: Array<[Slot, Slot]>; proto?: Slot }
  | { k: "set"; items: Slot[]; proto?: Slot }
  | { k: "date"; time: number; proto?: Slot }
  | { k: "re"; source: string; flags: string; lastIndex: number; proto?: Slot }
  | { k: "err"; ctor: string; message: string; stack?: string; props: Props; proto?: Slot }
  | { k: "buf"; shared: boolean; bytes: Uint8Array }
  | { k: "view"; type: string; bytes: Uint8Array; proto?: Slot }
  | { k: "box"; value: Slot }
  /** A symbol: registered (`key`), well-known (`wellKnown`, e.g. "iterator"), or a fresh one. */
  | { k: "sym"; key?: string; wellKnown?: string; description?: string }
  | FnNode
  | { k: "bound"; target: Slot; thisArg: Slot; args: Slot[] }
  /** A value reachable from a standard global by a path, e.g. "Math.max", "Array.prototype". */
  | { k: "global"; path: string }
  /** `fn.prototype` of a function node (the prototype of class instances). */
  | { k: "protoOf"; fn: Slot }
  /**
   * A module (or one of its exports): `url` is a file: or node: URL. `system` says how to
   * load it; `interop` replays esbuild's __toESM wrapper (1; 2 = "node mode").
   */
  | { k: "mod"; url: string; system: "esm" | "cjs"; name?: string; interop?: 0 | 1 | 2 }
  /** A CommonJS `require` function of the module at `url`. */
  | { k: "req"; url: string }
  /** The `import()` of a function defined in the script at `url` (relative to it). */
  | { k: "dynImport"; url: string }
  /** An engine object crossing by reference (see hooks.ts). */
  | { k: "hook"; module: string; export: string; args: unknown[] }
  /** `new <global ctor>(...args)`: URL, URLSearchParams, TextEncoder, TextDecoder. */
  | { k: "new"; ctor: string; args: Slot[] };

export interface Payload {
  root: Slot;
  nodes: Node[];
}

export function encodePayload(p: Payload): Uint8Array {
  const body = v8.serialize(p);
  const out = new Uint8Array(MAGIC.length + 1 + body.length);
  out.set(MAGIC, 0);
  out[MAGIC.length] = FORMAT_VERSION;
  out.set(body, MAGIC.length + 1);
  return out;
}

export function decodePayload(bytes: Uint8Array): Payload {
  if (!isClosurePayload(bytes)) {
    throw new TsparkError("CLOSURE_REVIVE", "these bytes are not a tspark closure");
  }
  const version = bytes[MAGIC.length];
  if (version !== FORMAT_VERSION) {
    throw new TsparkError(
      "CLOSURE_REVIVE",
      `closure format ${String(version)} is not supported by this worker (it reads format ${FORMAT_VERSION}); driver and workers must run the same tspark version`,
    );
  }
  const body = bytes.subarray(MAGIC.length + 1);
  const value: unknown = v8.deserialize(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
  if (typeof value !== "object" || value === null || !("nodes" in value) || !Array.isArray(value.nodes)) {
    throw new TsparkError("CLOSURE_REVIVE", "corrupt closure payload");
  }
  return value as Payload;
}

export function isRef(s: unknown): s is Ref {
  return typeof s === "object" && s !== null && typeof (s as { r?: unknown }).r === "number";
}

/** The value at a well-known global path ("Math.max", "Array.prototype") in this process. */
export function valueAtPath(path: string): unknown {
  let v: unknown = globalThis;
  for (const part of path.split(".")) {
    if (part === "globalThis" && v === globalThis) continue;
    if ((typeof v !== "object" && typeof v !== "function") || v === null) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/**
 * The arguments of each value in a closure that crossed by the capture hook naming `module`'s
 * `exportName` (hooks.ts), in the closures hooks carry too (an accumulator's addInPlace).
 */
export function hookArguments(bytes: Uint8Array, module: string, exportName: string, into: unknown[][] = []): unknown[][] {
  for (const node of decodePayload(bytes).nodes) {
    if (node.k !== "hook") continue;
    if (node.module === module && node.export === exportName) into.push(node.args);
    for (const arg of node.args) if (arg instanceof Uint8Array && isClosurePayload(arg)) hookArguments(arg, module, exportName, into);
  }
  return into;
}

function isClosurePayload(bytes: Uint8Array): boolean {
  return bytes.length > MAGIC.length && MAGIC.every((b, i) => bytes[i] === b);
}

/** The modules a closure imports (its `mod` nodes' file: URLs, each once), with how each loads. */
export function importedModules(bytes: Uint8Array): Array<{ url: string; system: "esm" | "cjs" }> {
  const seen = new Map<string, "esm" | "cjs">();
  for (const node of decodePayload(bytes).nodes) {
    if (node.k === "mod" && node.url.startsWith("file:") && !seen.has(node.url)) seen.set(node.url, node.system);
  }
  return [...seen].map(([url, system]) => ({ url, system }));
}
