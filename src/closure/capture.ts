/**
 * Driver side of closure shipping: turns a function and everything it captures into bytes
 * a worker process can revive (revive.ts). The technique is Pulumi's: parse the function's
 * source for free variables, read their current values from V8's closure scopes through the
 * in-process inspector, and capture imports as module specifiers rather than values.
 */
import { createHash } from "node:crypto";
import { EventEmitter } from "node:events";
import { Socket } from "node:net";
import { Stream } from "node:stream";
import { ChildProcess } from "node:child_process";
import { MessagePort, Worker } from "node:worker_threads";
import { types as ut } from "node:util";
import v8 from "node:v8";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { TsparkError } from "../errors.js";
import { analyzeFunction, cjsRequires, DYNAMIC_IMPORT_NAME, esmExportedFunctions, esmImports, IMPORT_META_NAME, type FunctionAnalysis } from "./analyze.js";
import { encodePayload, type FnNode, type Key, type Node, type Props, type Slot } from "./format.js";
import { STANDARD_GLOBALS, WELL_KNOWN_SYMBOLS, wellKnownPath } from "./globals.js";
import { CAPTURE_AS, UNSHIPPABLE, type CaptureAsDescriptor } from "./hooks.js";
import { functionInternals, locateSource, localValue, scopeVariables, scopesOf, scriptSource, withRemoteObjects, type FunctionLocation, type ScopeInfo } from "./inspector.js";
import { builtinMatch, isLibraryFile, refreshModuleTables, requireCacheMatch, requireFrom, resolveImport, resolveRequire } from "./modules.js";
import { functionOrigin, shortPosition } from "./source-map.js";
import { classImport, registerImportedClasses, sourceClassId } from "./record-class-ids.js";
import { registerRecordClass, registeredClassId } from "../serde/record-classes.js";

export { functionOrigin } from "./source-map.js";
export { registerEntryModule } from "./modules.js";

export interface CapturedClosure {
  /** Content hash (sha1 hex) of `bytes`: equal functions with equal captured values share it. */
  id: string;
  bytes: Uint8Array;
}

/**
 * Serializes `fn` with the current values of the variables it captures. Synchronous.
 * `what` names the function in messages ("map function"). Throws a TsparkError with code
 * CLOSURE_CAPTURE when something it captures cannot be sent to another process.
 */
export function captureClosure(fn: Function, what = "function", asRecordClass = false): CapturedClosure {
  if (typeof fn !== "function") {
    throw new TsparkError("CLOSURE_CAPTURE", `${what} must be a function, got ${describeType(fn)}`);
  }
  const capturer = new Capturer(fn, what, asRecordClass);
  refreshModuleTables();
  const payload = withRemoteObjects(() => {
    try {
      const root = capturer.value(fn, undefined);
      capturer.drain();
      return { root, nodes: capturer.nodes };
    } catch (e) {
      throw capturer.wrap(e);
    }
  });
  let bytes: Uint8Array;
  try {
    bytes = encodePayload(payload);
  } catch (e) {
    throw new TsparkError("CLOSURE_CAPTURE", `${capturer.label()} captures a value that cannot be serialized: ${errorMessage(e)}`, { cause: e });
  }
  return { id: createHash("sha1").update(bytes).digest("hex"), bytes };
}

/** Each class captured on its own, or why it could not be (not tried again). */
const recordClassCaptures = new WeakMap<Function, { id: string; closure: CapturedClosure } | Error>();

/**
 * A class whose instances travel in records, captured on its own (once: as cloudpickle
 * does, a worker keeps the first copy of a class it revives), with its record-class id:
 * what a task ships so that its worker can decode instances of it. An exported class of a
 * package travels as its import.
 */
export function captureRecordClass(ctor: Function): { id: string; closure: CapturedClosure } {
  let c = recordClassCaptures.get(ctor);
  if (!c) {
    try {
      const closure = classClosure(ctor);
      const id = registeredClassId(ctor);
      if (id === undefined) throw new TsparkError("CLOSURE_CAPTURE", `class ${ctor.name || "(anonymous)"} cannot be named in records`);
      c = { id, closure };
    } catch (e) {
      c = e instanceof Error ? e : new Error(String(e));
    }
    recordClassCaptures.set(ctor, c);
  }
  if (c instanceof Error) throw c;
  return c;
}

/** A closure giving `ctor`: its import when it was registered as an import's (nothing to capture), else the class itself. */
function classClosure(ctor: Function): CapturedClosure {
  const imported = classImport(ctor);
  if (!imported) return captureClosure(ctor, `class ${ctor.name || "(anonymous)"}`, true);
  const bytes = encodePayload({ root: { r: 0 }, nodes: [{ k: "mod", ...imported }] });
  return { id: createHash("sha1").update(bytes).digest("hex"), bytes };
}

/** The driver's record-class locator: any class a value holds can be captured there. */
export function locateRecordClass(ctor: Function): string | undefined {
  try {
    return captureRecordClass(ctor).id;
  } catch {
    return undefined;
  }
}

const SPARK_5063 =
  "The SparkContext and RDDs exist only on the driver: use them outside of functions passed to transformations (see SPARK-5063)";

/** Errors already phrased for the user (they name the function and the variable). */
const phrased = new WeakSet<object>();

const NATIVE_ERRORS = ["Error", "TypeError", "RangeError", "SyntaxError", "ReferenceError", "EvalError", "URIError", "AggregateError"];

/** Per-constructor facts, cached across captures: script URL and instance-private fields. */
const ctorInfo = new WeakMap<Function, { url: string; native: boolean; instancePrivate: boolean; loc?: FunctionLocation; srcLength: number }>();

/** An object whose node index is reserved and whose content is still to be captured. */
interface Job {
  o: object;
  path: Path;
  owner: object | undefined;
  url: string;
}

class Capturer {
  readonly nodes: Node[] = [];
  private readonly ids = new Map<unknown, number>();
  // Objects are captured from a work list, not by recursion, so deep graphs (long linked
  // lists) do not exhaust the call stack.
  private readonly jobs: Job[] = [];
  private readonly modNodes = new Map<string, number>();
  private labelText: string | undefined;
  /** URL of the function whose captures are being read (for `require` and `import()`). */
  private currentUrl = "";

  constructor(
    private readonly root: Function,
    private readonly what: string,
    /** The root is a class records are instances of: it may travel as an import, and always gets a class id. */
    private readonly asRecordClass = false,
  ) {}

  /** "map function at wordcount.ts:12:20" */
  label(): string {
    if (this.labelText === undefined) {
      const origin = functionOrigin(this.root);
      this.labelText = origin && origin.url ? `${this.what} at ${shortPosition(origin)}` : this.what;
    }
    return this.labelText;
  }

  wrap(e: unknown): Error {
    if (e instanceof TsparkError && phrased.has(e)) return e;
    const msg = `${this.label()}: ${errorMessage(e)}`;
    return new TsparkError("CLOSURE_CAPTURE", msg, { cause: e });
  }

  private refuse(path: Path, desc: string, hint?: string): never {
    const where = renderPath(path);
    const subject = where ? `captures variable "${where}" (${desc})` : `is ${desc}`;
    const e = new TsparkError("CLOSURE_CAPTURE", `${this.label()} ${subject}, which cannot be sent to a worker process${hint ? `. ${hint}` : ""}`);
    phrased.add(e);
    throw e;
  }

  private refuseUnshippable(path: Path, marker: string): never {
    const where = renderPath(path);
    const subject = where ? `captures "${where}"` : "is";
    const e = new TsparkError("CLOSURE_CAPTURE", `${this.label()} ${subject} (${marker}). ${SPARK_5063}`);
    phrased.add(e);
    throw e;
  }

  /** Stores `node` for `key`: at the index reserved for it, or at a new one. */
  private add(key: unknown, node: Node): number {
    const reserved = key === undefined ? undefined : this.ids.get(key);
    if (reserved !== undefined) {
      this.nodes[reserved] = node;
      return reserved;
    }
    const i = this.nodes.length;
    this.nodes.push(node);
    if (key !== undefined) this.ids.set(key, i);
    return i;
  }

  /** Reserves a node index for `key` before its children are captured (cycles). */
  private reserve(key: unknown): number {
    const reserved = key === undefined ? undefined : this.ids.get(key);
    return reserved ?? this.add(key, { k: "obj", props: [] });
  }

  /** Captures the content of every object reserved so far (and of what they reach). */
  drain(): void {
    for (let job = this.jobs.pop(); job; job = this.jobs.pop()) {
      this.currentUrl = job.url;
      this.object(job.o, job.path, job.owner);
    }
  }

  value(v: unknown, path: Path, owner?: object): Slot {
    switch (typeof v) {
      case "undefined":
      case "boolean":
      case "number":
      case "string":
      case "bigint":
        return v;
      case "symbol":
        return this.symbol(v);
    }
    if (v === null) return null;
    const o = v as object;
    const seen = this.ids.get(o);
    if (seen !== undefined) return { r: seen };
    const i = this.reserve(o);
    this.jobs.push({ o, path, owner, url: this.currentUrl });
    return { r: i };
  }

  private symbol(s: symbol): Slot {
    const seen = this.ids.get(s);
    if (seen !== undefined) return { r: seen };
    const key = Symbol.keyFor(s);
    if (key !== undefined) return { r: this.add(s, { k: "sym", key }) };
    const wk = WELL_KNOWN_SYMBOLS.get(s);
    if (wk !== undefined) return { r: this.add(s, { k: "sym", wellKnown: wk }) };
    // A local symbol: the worker gets a fresh one, shared by everything in this closure.
    return { r: this.add(s, s.description === undefined ? { k: "sym" } : { k: "sym", description: s.description }) };
  }

  private key(k: string | symbol): Key {
    if (typeof k === "string") return k;
    const s = this.symbol(k);
    return s as Key;
  }

  private object(o: object, path: Path, owner: object | undefined): number {
    if (ut.isProxy(o)) this.refuse(path, "a Proxy");
    const hook = safeGet(o, CAPTURE_AS);
    if (typeof hook === "function") return this.hook(o, hook, path);
    const marker = safeGet(o, UNSHIPPABLE);
    if (typeof marker === "string") this.refuseUnshippable(path, marker);

    const wk = wellKnownPath(o);
    if (wk !== undefined) return this.add(o, { k: "global", path: wk });
    if (typeof o === "function" && looksLikeRequire(o)) return this.add(o, { k: "req", url: this.currentUrl });
    const mod = builtinMatch(o) ?? requireCacheMatch(o);
    if (mod) return this.add(o, mod.name === undefined ? { k: "mod", url: mod.url, system: mod.system } : { k: "mod", url: mod.url, system: mod.system, name: mod.name });
    if (typeof o === "function") return this.func(o, path, owner);
    // Fast path for plain data objects: none of the special kinds below has these prototypes.
    const proto: unknown = Object.getPrototypeOf(o);
    if ((proto === Object.prototype || proto === null) && !ut.isModuleNamespaceObject(o) && !ut.isArgumentsObject(o)) return this.plainOrInstance(o, path);

    this.refuseSpecial(o, path);

    if (Array.isArray(o) || ut.isArgumentsObject(o)) return this.array(o as unknown[], path);
    if (ut.isMap(o)) {
      const i = this.reserve(o);
      const entries: Array<[Slot, Slot]> = [];
      for (const [k, val] of o as Map<unknown, unknown>) {
        const ks = this.value(k, at(path, "suffix", "<key>"));
        entries.push([ks, this.value(val, at(path, "mapValue", k))]);
      }
      this.nodes[i] = withProto({ k: "map", entries }, this.protoSlot(o, Map.prototype, path));
      return i;
    }
    if (ut.isSet(o)) {
      const i = this.reserve(o);
      const items: Slot[] = [];
      for (const item of o as Set<unknown>) items.push(this.value(item, at(path, "suffix", "<member>")));
      this.nodes[i] = withProto({ k: "set", items }, this.protoSlot(o, Set.prototype, path));
      return i;
    }
    if (ut.isDate(o)) {
      const i = this.reserve(o);
      this.nodes[i] = withProto({ k: "date", time: (o as Date).getTime() }, this.protoSlot(o, Date.prototype, path));
      return i;
    }
    if (ut.isRegExp(o)) {
      const re = o as RegExp;
      const i = this.reserve(o);
      this.nodes[i] = withProto({ k: "re", source: re.source, flags: re.flags, lastIndex: re.lastIndex }, this.protoSlot(o, RegExp.prototype, path));
      return i;
    }
    if (ut.isNativeError(o) || o instanceof Error) return this.error(o as Error, path);
    if (ut.isAnyArrayBuffer(o)) {
      const shared = ut.isSharedArrayBuffer(o);
      return this.add(o, { k: "buf", shared, bytes: new Uint8Array((o as ArrayBuffer).slice(0)) });
    }
    if (ut.isArrayBufferView(o)) {
      const view = o as ArrayBufferView;
      const type = Buffer.isBuffer(o) ? "Buffer" : ut.isDataView(o) ? "DataView" : String((o as unknown as { [Symbol.toStringTag]: string })[Symbol.toStringTag]);
      const bytes = new Uint8Array(view.byteLength);
      bytes.set(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
      const i = this.reserve(o);
      const defaultProto = type === "Buffer" ? Buffer.prototype : (globalThis as unknown as Record<string, { prototype: object } | undefined>)[type]?.prototype;
      this.nodes[i] = withProto({ k: "view", type, bytes }, this.protoSlot(o, defaultProto ?? null, path));
      return i;
    }
    if (ut.isBoxedPrimitive(o)) {
      const i = this.reserve(o);
      this.nodes[i] = { k: "box", value: this.value((o as { valueOf(): unknown }).valueOf(), path) };
      return i;
    }
    if (o instanceof URL) return this.add(o, { k: "new", ctor: "URL", args: [o.href] });
    if (o instanceof URLSearchParams) return this.add(o, { k: "new", ctor: "URLSearchParams", args: [o.toString()] });
    if (o instanceof TextEncoder) return this.add(o, { k: "new", ctor: "TextEncoder", args: [] });
    if (o instanceof TextDecoder) {
      const i = this.reserve(o);
      this.nodes[i] = { k: "new", ctor: "TextDecoder", args: [o.encoding, { r: this.add(undefined, { k: "obj", props: [["fatal", o.fatal], ["ignoreBOM", o.ignoreBOM]] }) }] };
      return i;
    }
    return this.plainOrInstance(o, path);
  }

  private refuseSpecial(o: object, path: Path): void {
    if (ut.isPromise(o)) this.refuse(path, "a Promise", "Await it on the driver and capture the result instead");
    if (ut.isWeakMap(o)) this.refuse(path, "a WeakMap", "Its entries cannot be enumerated; use a Map");
    if (ut.isWeakSet(o)) this.refuse(path, "a WeakSet", "Its entries cannot be enumerated; use a Set");
    if (typeof WeakRef === "function" && o instanceof WeakRef) this.refuse(path, "a WeakRef");
    if (typeof FinalizationRegistry === "function" && o instanceof FinalizationRegistry) this.refuse(path, "a FinalizationRegistry");
    if (ut.isGeneratorObject(o) || ut.isMapIterator(o) || ut.isSetIterator(o)) this.refuse(path, "an iterator", "Its position cannot be copied; capture the collection instead");
    if (ut.isModuleNamespaceObject(o)) this.refuse(path, "a module namespace object", "Use the imported names directly inside the function");
    if (ut.isExternal(o)) this.refuse(path, "a native handle");
    if (ut.isKeyObject(o) || ut.isCryptoKey(o)) this.refuse(path, "a crypto key", "Export it (e.g. key.export()) and capture the exported data");
    if (o instanceof Socket) this.refuse(path, o.constructor === Socket ? "a net.Socket" : `a ${ctorName(o)} (a net.Socket)`);
    if (o instanceof ChildProcess) this.refuse(path, "a child process");
    if (o instanceof Worker) this.refuse(path, "a worker thread");
    if (o instanceof MessagePort) this.refuse(path, "a MessagePort");
    if (o instanceof Stream) this.refuse(path, /Stream$/.test(ctorName(o)) ? `a ${ctorName(o)} (a stream)` : `a ${ctorName(o)} stream`);
    if (o instanceof EventEmitter) this.refuse(path, o.constructor === EventEmitter ? "an EventEmitter" : `a ${ctorName(o)} (an EventEmitter)`);
    if (typeof EventTarget === "function" && o instanceof EventTarget) this.refuse(path, `a ${ctorName(o)} (an EventTarget)`);
  }

  private hook(o: object, hook: Function, path: Path): number {
    let d: unknown;
    try {
      d = hook.call(o);
    } catch (e) {
      this.refuse(path, `a ${ctorName(o)} whose capture hook threw: ${errorMessage(e)}`);
    }
    const desc = d as Partial<CaptureAsDescriptor> | null | undefined;
    if (!desc || typeof desc.module !== "string" || typeof desc.export !== "string" || !Array.isArray(desc.args)) {
      this.refuse(path, `a ${ctorName(o)} whose capture hook returned an invalid descriptor`);
    }
    try {
      v8.serialize(desc.args);
    } catch (e) {
      this.refuse(path, `a ${ctorName(o)} whose capture hook returned arguments that are not plain data (${errorMessage(e)})`);
    }
    return this.add(o, { k: "hook", module: desc.module, export: desc.export, args: desc.args });
  }

  private array(a: unknown[], path: Path): number {
    const i = this.reserve(a);
    const items: Slot[] = [];
    const len = a.length;
    for (let j = 0; j < len; j++) items.push(this.value(a[j], at(path, "index", j)));
    const node: Node = { k: "arr", items };
    if (Array.isArray(a)) {
      const extra = Object.keys(a).filter((k) => !isIndex(k, len));
      if (extra.length > 0) node.props = extra.map((k) => [k, this.value((a as unknown as Record<string, unknown>)[k], at(path, "prop", k))] as [Key, Slot]);
      const proto = this.protoSlot(a, Array.prototype, path);
      if (proto !== undefined) node.proto = proto;
    }
    this.nodes[i] = node;
    return i;
  }

  private error(e: Error, path: Path): number {
    const i = this.reserve(e);
    let ctor = "Error";
    for (let p: unknown = Object.getPrototypeOf(e); p; p = Object.getPrototypeOf(p)) {
      const name = NATIVE_ERRORS.find((n) => (globalThis as unknown as Record<string, { prototype: unknown }>)[n]?.prototype === p);
      if (name) {
        ctor = name;
        break;
      }
    }
    const props: Props = [];
    for (const k of Reflect.ownKeys(e)) {
      if (k === "stack" || k === "message") continue;
      const d = Object.getOwnPropertyDescriptor(e, k);
      if (!d || !(d.enumerable || k === "cause" || k === "errors")) continue;
      props.push([this.key(k), this.value(readProp(e, k), at(path, "prop", k))]);
    }
    const node: Node = { k: "err", ctor, message: String(e.message), props };
    if (typeof e.stack === "string") node.stack = e.stack;
    const ctorProto = (globalThis as unknown as Record<string, { prototype: object }>)[ctor]?.prototype ?? Error.prototype;
    this.nodes[i] = withProto(node, this.protoSlot(e, ctorProto, path));
    return i;
  }

  private plainOrInstance(o: object, path: Path): number {
    const proto: unknown = Object.getPrototypeOf(o);
    // A class's prototype object itself: it comes with the class.
    const ownCtor = Object.prototype.hasOwnProperty.call(o, "constructor") ? (Object.getOwnPropertyDescriptor(o, "constructor")?.value as unknown) : undefined;
    if (typeof ownCtor === "function" && (ownCtor as { prototype?: unknown }).prototype === o && !isNativeFunction(ownCtor)) {
      const i = this.reserve(o);
      this.nodes[i] = { k: "protoOf", fn: this.value(ownCtor, at(path, "suffix", ".constructor")) };
      return i;
    }
    if (proto !== Object.prototype && proto !== null) this.checkInstance(o, path);
    const i = this.reserve(o);
    const protoSlot = this.protoSlot(o, Object.prototype, path);
    const props: Props = [];
    for (const k of Object.keys(o)) props.push([k, this.value(readProp(o, k), at(path, "prop", k), o)]);
    for (const k of Object.getOwnPropertySymbols(o)) {
      if (Object.prototype.propertyIsEnumerable.call(o, k)) props.push([this.key(k), this.value(readProp(o, k), at(path, "prop", k), o)]);
    }
    this.nodes[i] = withProto({ k: "obj", props }, protoSlot);
    return i;
  }

  /** Refuses instances of native or Node-internal classes, and of classes with #private fields. */
  private checkInstance(o: object, path: Path): void {
    for (let p: unknown = Object.getPrototypeOf(o); p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
      const ctor = Object.getOwnPropertyDescriptor(p, "constructor")?.value as unknown;
      if (typeof ctor !== "function") continue;
      const info = this.ctorFacts(ctor);
      const name = ctor.name || "anonymous class";
      if (info.native) this.refuse(path, `a ${name}`, "Objects with native internals cannot be copied");
      if (info.url.startsWith("node:")) this.refuse(path, `a ${name}, a Node.js internal object`);
      if (info.instancePrivate) {
        this.refuse(path, `an instance of class ${name}, which has #private fields`, "Private fields cannot be read or restored from outside the class; use ordinary properties, or create the instance inside the function");
      }
    }
  }

  private ctorFacts(ctor: Function): { url: string; native: boolean; instancePrivate: boolean; loc?: FunctionLocation; srcLength: number } {
    let info = ctorInfo.get(ctor);
    if (!info) {
      const src = Function.prototype.toString.call(ctor);
      const native = isNativeSource(src);
      const loc = native ? undefined : functionInternals(ctor).location;
      let instancePrivate = false;
      if (!native && /#/.test(src)) {
        try {
          instancePrivate = analyzeFunction(src).instancePrivate;
        } catch {
          instancePrivate = false;
        }
      }
      info = { url: loc?.url ?? "", native, instancePrivate, srcLength: src.length };
      if (loc) info.loc = loc;
      ctorInfo.set(ctor, info);
    }
    return info;
  }

  /** The prototype of `o` when it is not `dflt`: a class's prototype, or any other object. */
  private protoSlot(o: object, dflt: object | null, path: Path): Slot | undefined {
    const proto: unknown = Object.getPrototypeOf(o);
    if (proto === dflt) return undefined;
    if (proto === null) return null;
    const p = proto as object;
    const seen = this.ids.get(p);
    if (seen !== undefined) return { r: seen };
    const wk = wellKnownPath(p);
    if (wk !== undefined) return { r: this.add(p, { k: "global", path: wk }) };
    const ctor = Object.getOwnPropertyDescriptor(p, "constructor")?.value as unknown;
    if (typeof ctor === "function" && (ctor as { prototype?: unknown }).prototype === p) {
      const i = this.reserve(p);
      this.nodes[i] = { k: "protoOf", fn: this.value(ctor, at(path, "suffix", ".constructor")) };
      return { r: i };
    }
    return this.value(p, at(path, "suffix", ".__proto__"));
  }

  // ---- functions ----------------------------------------------------------------------

  private func(f: Function, path: Path, owner: object | undefined): number {
    const src = Function.prototype.toString.call(f);
    const internals = functionInternals(f);
    if (isNativeSource(src)) {
      const b = internals.bound;
      if (b) {
        const i = this.reserve(f);
        const target = this.value(localValue(b.target), at(path, "suffix", "<bound function>"));
        const thisArg = this.value(localValue(b.thisArg), at(path, "suffix", "<bound this>"));
        const args = localValue(b.args);
        const argSlots = Array.isArray(args) ? args.map((a, j) => this.value(a, at(path, "suffix", `<bound argument ${j}>`))) : [];
        this.nodes[i] = { k: "bound", target, thisArg, args: argSlots };
        return i;
      }
      this.refuse(path, `a native function${f.name ? ` (${f.name})` : ""}`, "Only natives reachable from standard globals (e.g. Math.max) can be sent");
    }
    const loc = internals.location;
    const url = loc?.url ?? "";
    if (url.startsWith("node:")) this.refuse(path, `an internal Node.js function${f.name ? ` (${f.name})` : ""}`, "Import it in your module and use the import inside the function");
    const pos = loc ? locateSource(loc, src) : { line: 0, col: 0, offset: -1 };

    // A function exported by a library module travels as an import, not as its code.
    if ((f !== this.root || this.asRecordClass) && loc && pos.offset >= 0 && url.startsWith("file:") && isLibraryFile(url)) {
      const exp = esmExportedFunctions(loc.scriptId, scriptSource(loc.scriptId)).find((e) => e.start === pos.offset);
      if (exp) return this.modNode(f, url, "esm", exp.name, 0, f);
    }

    let analysis: FunctionAnalysis;
    try {
      analysis = analyzeFunction(src);
    } catch (e) {
      this.refuse(path, `a function whose source cannot be parsed (${errorMessage(e)})`);
    }
    let thisArg: Slot | undefined;
    if (analysis.usesThis) {
      if (owner && loc && this.definedInClassOf(owner, loc, pos.offset)) {
        thisArg = this.value(owner, path?.up);
      } else {
        this.refuse(path, "an arrow function that uses `this` of the method that created it", "Copy what it needs from `this` into a local variable first (const factor = this.factor) and use that inside the function");
      }
    }

    const i = this.reserve(f);
    const node: FnNode = {
      k: "fn",
      form: analysis.form,
      isClass: analysis.isClass,
      src: analysis.src,
      url,
      line: pos.line,
      col: pos.col,
      name: typeof f.name === "string" ? f.name : "",
      captures: [],
      props: [],
    };
    if (thisArg !== undefined) node.thisArg = thisArg;
    this.nodes[i] = node;

    const savedUrl = this.currentUrl;
    this.currentUrl = url;
    try {
      const scopes: ScopeInfo[] = internals.scopes ? scopesOf(internals.scopes) : [];
      // ES modules are strict code; the revived function must not become sloppy.
      if (scopes.some((s) => s.type === "Module")) node.strict = true;
      node.captures = this.captures(f, analysis, scopes, loc, path);
    } finally {
      this.currentUrl = savedUrl;
    }
    for (const k of Reflect.ownKeys(f)) {
      if (k === "prototype" || k === "name" || k === "length") continue;
      const d = Object.getOwnPropertyDescriptor(f, k);
      if (!d?.enumerable) continue;
      node.props.push([this.key(k), this.value(readProp(f, k), at(path ?? at(undefined, "var", f.name), "prop", k))]);
    }
    const proto = (f as { prototype?: unknown }).prototype;
    if (!analysis.isArrow && analysis.form === "expr" && typeof proto === "object" && proto !== null) {
      const protoProps: Props = [];
      for (const k of Reflect.ownKeys(proto)) {
        if (k === "constructor") continue;
        const d = Object.getOwnPropertyDescriptor(proto, k);
        if (!d?.enumerable) continue;
        protoProps.push([this.key(k), this.value(readProp(proto, k), at(at(path ?? at(undefined, "var", f.name), "suffix", ".prototype"), "prop", k))]);
      }
      if (protoProps.length > 0) node.protoProps = protoProps;
    }
    // A class (or a constructor with methods): its instances may travel in records.
    if (analysis.isClass || node.protoProps || (f === this.root && this.asRecordClass)) {
      node.cls = sourceClassId(f, url, pos.line, pos.col, src);
      registerRecordClass(node.cls, f);
    }
    return i;
  }

  /** Is the arrow at `offset` of `loc`'s script inside the source of `owner`'s class? */
  private definedInClassOf(owner: object, loc: FunctionLocation, offset: number): boolean {
    for (let p: unknown = Object.getPrototypeOf(owner); p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
      const ctor = Object.getOwnPropertyDescriptor(p, "constructor")?.value as unknown;
      if (typeof ctor !== "function") continue;
      const facts = this.ctorFacts(ctor);
      if (!facts.loc || facts.loc.scriptId !== loc.scriptId) continue;
      const start = locateSource(facts.loc, Function.prototype.toString.call(ctor)).offset;
      if (start >= 0 && offset > start && offset < start + facts.srcLength) return true;
    }
    return false;
  }

  private captures(f: Function, analysis: FunctionAnalysis, scopes: ScopeInfo[], loc: FunctionLocation | undefined, path: Path): Array<[string, Slot]> {
    const out: Array<[string, Slot]> = [];
    const isModule = scopes.some((s) => s.type === "Module");
    const url = loc?.url ?? "";
    for (const name of analysis.freeVars) {
      if (name === IMPORT_META_NAME) {
        out.push([name, this.importMeta(url)]);
        continue;
      }
      if (name === DYNAMIC_IMPORT_NAME) {
        out.push([name, { r: this.add(undefined, { k: "dynImport", url }) }]);
        continue;
      }
      if (name === analysis.superName) {
        out.push([name, this.value(Object.getPrototypeOf(f), at(path, "var", `superclass of ${f.name || "class"}`))]);
        continue;
      }
      let slot: Slot | undefined;
      let found = false;
      for (const scope of scopes) {
        const ro = scopeVariables(scope).get(name);
        if (!ro) continue;
        found = true;
        if (loc && scope.type === "Module") {
          const imp = esmImports(loc.scriptId, scriptSource(loc.scriptId)).get(name);
          if (imp) {
            slot = { r: this.modNode(undefined, resolveImport(imp.specifier, url), "esm", imp.imported, 0, localValue(ro)) };
            break;
          }
        }
        const value = localValue(ro);
        if (loc && !isModule && url.startsWith("file:")) {
          const req = cjsRequires(loc.scriptId, scriptSource(loc.scriptId)).get(name);
          if (req) slot = this.requireBinding(req.specifier, req.name, req.interop, url, value);
          if (slot !== undefined) break;
        }
        if (name === "require" && typeof value === "function" && looksLikeRequire(value)) {
          slot = { r: this.add(undefined, { k: "req", url }) };
          break;
        }
        slot = this.value(value, at(path, "var", name));
        break;
      }
      if (!found && loc && url.startsWith("file:")) {
        // Not in any listed scope (V8 lists only what closures keep): an import, if the script has one.
        const source = scriptSource(loc.scriptId);
        const imp = isModule ? esmImports(loc.scriptId, source).get(name) : undefined;
        if (imp) {
          out.push([name, { r: this.modNode(undefined, resolveImport(imp.specifier, url), "esm", imp.imported, 0) }]);
          continue;
        }
      }
      if (!found) {
        // A global: the worker has the standard ones; others are copied by value.
        if (STANDARD_GLOBALS.has(name) || !(name in globalThis)) continue;
        slot = this.value((globalThis as Record<string, unknown>)[name], at(path, "var", name));
      }
      out.push([name, slot]);
    }
    return out;
  }

  private importMeta(url: string): Slot {
    const props: Props = [["url", url]];
    if (url.startsWith("file:")) {
      const file = fileURLToPath(url);
      props.push(["filename", file], ["dirname", path.dirname(file)]);
    }
    return { r: this.add(undefined, { k: "obj", props }) };
  }

  private requireBinding(specifier: string, name: string | undefined, interop: 0 | 1 | 2, url: string, value: unknown): Slot | undefined {
    let resolved: string;
    let exp: unknown;
    try {
      resolved = resolveRequire(specifier, url);
      exp = requireFrom(url, resolved);
    } catch {
      return undefined;
    }
    let ok: boolean;
    if (name !== undefined) ok = (exp as Record<string, unknown> | null)?.[name] === value;
    else if (interop === 0) ok = exp === value;
    else ok = isToEsmWrapperOf(value, exp);
    if (!ok) return undefined;
    return { r: this.modNode(undefined, resolved, "cjs", name, interop, value) };
  }

  /** `value`, when known, is what the import gives here: its classes become record classes. */
  private modNode(key: unknown, url: string, system: "esm" | "cjs", name: string | undefined, interop: 0 | 1 | 2, value?: unknown): number {
    const id = `${system}|${url}|${name ?? ""}|${interop}`;
    const seen = this.modNodes.get(id);
    // A key already referenced (reserved) keeps its own index; others share one node per import.
    if (seen !== undefined && (key === undefined || !this.ids.has(key))) {
      if (key !== undefined) this.ids.set(key, seen);
      return seen;
    }
    const node: Node = { k: "mod", url, system };
    if (name !== undefined) node.name = name;
    if (interop !== 0) node.interop = interop;
    if (value !== undefined) registerImportedClasses(node, value);
    const i = this.add(key, node);
    if (!this.modNodes.has(id)) this.modNodes.set(id, i);
    return i;
  }
}

// ---- helpers ----------------------------------------------------------------------------

function withProto<T extends Node>(node: T, proto: Slot | undefined): T {
  if (proto !== undefined) (node as { proto?: Slot }).proto = proto;
  return node;
}

function isNativeSource(src: string): boolean {
  return /\{\s*\[native code\]\s*\}\s*$/.test(src);
}

function isNativeFunction(f: unknown): boolean {
  return typeof f === "function" && isNativeSource(Function.prototype.toString.call(f));
}

function looksLikeRequire(f: Function): boolean {
  const r = f as unknown as { resolve?: unknown; cache?: unknown };
  return f.name === "require" && typeof r.resolve === "function" && typeof r.cache === "object";
}

/** esbuild's `__toESM(mod)`: an object mirroring `mod`'s properties, with `default: mod`. */
function isToEsmWrapperOf(value: unknown, exp: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  const w = value as Record<string, unknown>;
  if (w.default === exp) return true;
  if ((typeof exp !== "object" && typeof exp !== "function") || exp === null) return false;
  const keys = Object.keys(exp);
  return keys.length > 0 && keys.every((k) => w[k] === (exp as Record<string, unknown>)[k]);
}

function safeGet(o: object, k: symbol): unknown {
  try {
    return (o as Record<symbol, unknown>)[k];
  } catch {
    return undefined;
  }
}

function readProp(o: object, k: string | symbol): unknown {
  try {
    return (o as Record<string | symbol, unknown>)[k];
  } catch (e) {
    throw new TsparkError("CLOSURE_CAPTURE", `reading property ${String(k)} threw: ${errorMessage(e)}`, { cause: e });
  }
}

function ctorName(o: object): string {
  const c = (o as { constructor?: { name?: unknown } }).constructor;
  return typeof c?.name === "string" && c.name ? c.name : "object";
}

function describeType(v: unknown): string {
  if (v === null) return "null";
  if (typeof v === "object") return `a ${ctorName(v)}`;
  return typeof v;
}

/**
 * Where a value was found ("conf.sock", "helper → sock"), as a chain of steps that is
 * rendered only when a message needs it (capture visits many values, refuses few).
 */
interface PathStep {
  up: Path;
  kind: "var" | "prop" | "index" | "mapValue" | "suffix";
  key: unknown;
}
type Path = PathStep | undefined;

function at(up: Path, kind: PathStep["kind"], key: unknown): PathStep {
  return { up, kind, key };
}

function renderPath(p: Path): string {
  if (!p) return "";
  const base = renderPath(p.up);
  switch (p.kind) {
    case "var":
      return base ? `${base} → ${String(p.key)}` : String(p.key);
    case "index":
      return `${base}[${String(p.key)}]`;
    case "mapValue":
      return `${base}.get(${keyRepr(p.key)})`;
    case "suffix":
      return `${base}${String(p.key)}`;
    case "prop": {
      const k = p.key;
      if (typeof k === "symbol") return `${base}[${k.toString()}]`;
      const ks = String(k);
      return /^[A-Za-z_$][\w$]*$/.test(ks) ? (base ? `${base}.${ks}` : ks) : `${base}[${JSON.stringify(ks)}]`;
    }
  }
}

function keyRepr(k: unknown): string {
  if (typeof k === "string") return JSON.stringify(k);
  if (typeof k === "number" || typeof k === "boolean" || typeof k === "bigint") return String(k);
  return "…";
}

function isIndex(k: string, len: number): boolean {
  const n = Number(k);
  return Number.isInteger(n) && n >= 0 && n < len && String(n) === k;
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
