/**
 * Worker side of closure shipping: rebuilds the captured graph (capture.ts) and returns the
 * function. Functions are compiled from their source inside a small factory that declares
 * their captured names as `let` bindings; the bindings are assigned once every value exists,
 * so self- and mutually recursive functions work. Each function is compiled with its
 * original script URL and line:column, so stack frames match the driver's source maps.
 */
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import { TsparkError } from "../errors.js";
import { recordClass, registerRecordClass } from "../serde/record-classes.js";
import { registerImportedClasses } from "./record-class-ids.js";
import { decodePayload, isRef, valueAtPath, type FnNode, type Key, type Node, type Payload, type Props, type Slot } from "./format.js";

export { functionOrigin } from "./source-map.js";

/** Revived functions of this process, by closure id: one revival per worker. */
const revived = new Map<string, Promise<Function>>();

/**
 * Rebuilds a function captured by `captureClosure`; cached by id (the sha1 of its bytes, as
 * captureClosure computes it). A caller that already has the id passes it: no rehashing.
 */
export function reviveClosure(bytes: Uint8Array, id: string = createHash("sha1").update(bytes).digest("hex")): Promise<Function> {
  let p = revived.get(id);
  if (!p) {
    p = revive(bytes);
    revived.set(id, p);
    // A failed revival may succeed later (e.g. a module that appears): do not cache failures.
    p.catch(() => revived.delete(id));
  }
  return p;
}

/** Drops a revived function (its worker forgot the closure): the next use revives it again. */
export function forgetRevived(id: string): void {
  revived.delete(id);
}

async function revive(bytes: Uint8Array): Promise<Function> {
  let payload: Payload;
  try {
    payload = decodePayload(bytes);
  } catch (e) {
    throw e instanceof TsparkError ? e : new TsparkError("CLOSURE_REVIVE", `corrupt closure: ${errorMessage(e)}`, { cause: e });
  }
  const r = new Reviver(payload.nodes);
  try {
    await r.preload();
    const root = r.resolve(payload.root);
    r.finish();
    if (typeof root !== "function") throw new Error(`the closure's root is ${typeof root}, not a function`);
    return root;
  } catch (e) {
    if (e instanceof TsparkError && e.code === "CLOSURE_REVIVE") throw e;
    throw new TsparkError("CLOSURE_REVIVE", `cannot revive ${r.rootName(payload.root)} in the worker: ${errorMessage(e)}`, { cause: e });
  }
}

const localRequire = createRequire(import.meta.url);
const TS_URL = /\.(ts|tsx|mts|cts)$/;

let tsxEsm: Promise<void> | undefined;
let tsxCjs = false;

/** tsx is registered lazily: only a worker that imports TypeScript pays for it. */
function ensureTsxEsm(): Promise<void> {
  tsxEsm ??= import("tsx/esm/api").then((api: { register: () => unknown }) => {
    api.register();
  });
  return tsxEsm;
}

function ensureTsxCjs(): void {
  if (tsxCjs) return;
  (localRequire("tsx/cjs/api") as { register: () => unknown }).register();
  tsxCjs = true;
}

/**
 * Modules this process imports from elsewhere than the URL the driver captured, by that URL
 * (on Spark's executors: the driver's bundles of the user's modules, shipped by Spark).
 */
const relocated = new Map<string, string>();

export function relocateModules(locations: Iterable<readonly [string, string]>): void {
  for (const [from, to] of locations) relocated.set(from, to);
}

async function importUrl(url: string): Promise<Record<string, unknown>> {
  if (TS_URL.test(url)) await ensureTsxEsm();
  // JSON modules must be imported with their type attribute, as the user's import did.
  if (/\.json$/.test(url)) return (await import(url, { with: { type: "json" } })) as Record<string, unknown>;
  return (await import(url)) as Record<string, unknown>;
}

function requireUrl(url: string): unknown {
  if (url.startsWith("node:")) return localRequire(url);
  if (TS_URL.test(url)) ensureTsxCjs();
  return localRequire(url.startsWith("file:") ? fileURLToPath(url) : url);
}

/** esbuild's __toESM helper, replayed on a module the worker required itself. */
function toEsm(mod: unknown, nodeMode: boolean): unknown {
  const isObj = (typeof mod === "object" || typeof mod === "function") && mod !== null;
  const target: Record<string, unknown> = isObj ? Object.create(Object.getPrototypeOf(mod) as object | null) : {};
  if (nodeMode || !isObj || !(mod as { __esModule?: unknown }).__esModule) {
    Object.defineProperty(target, "default", { value: mod, enumerable: true });
  }
  if (isObj) {
    for (const key of Object.getOwnPropertyNames(mod)) {
      if (Object.prototype.hasOwnProperty.call(target, key)) continue;
      const d = Object.getOwnPropertyDescriptor(mod, key);
      Object.defineProperty(target, key, { get: () => (mod as Record<string, unknown>)[key], enumerable: !d || d.enumerable === true });
    }
  }
  return target;
}

const NONE = 0;
const BUILDING = 1;
const DONE = 2;

class Reviver {
  private readonly values: unknown[];
  private readonly state: Uint8Array;
  private readonly waiters = new Map<number, Array<(v: unknown) => void>>();
  // Contents are filled from a work list, not by recursion, so deep graphs (long linked
  // lists) do not exhaust the call stack.
  private readonly jobs: Array<() => void> = [];

  constructor(private readonly nodes: Node[]) {
    this.values = new Array<unknown>(nodes.length);
    this.state = new Uint8Array(nodes.length);
  }

  rootName(root: Slot): string {
    const n = isRef(root) ? this.nodes[root.r] : undefined;
    return n?.k === "fn" && n.name ? `function ${n.name}` : "a function";
  }

  /** Imports (the only asynchronous part) happen before the graph is rebuilt. */
  async preload(): Promise<void> {
    for (let i = 0; i < this.nodes.length; i++) {
      const node = this.nodes[i];
      if (node?.k === "mod") {
        const n = { ...node, url: relocated.get(node.url) ?? node.url };
        let v: unknown;
        try {
          if (n.system === "esm") {
            const ns = await importUrl(n.url);
            v = n.name === undefined || n.name === "*" ? ns : ns[n.name];
          } else {
            let exp: unknown;
            try {
              exp = requireUrl(n.url);
              if (n.interop) exp = toEsm(exp, n.interop === 2);
            } catch (e) {
              // An ES module the driver required through tsx (e.g. a CommonJS program importing
              // tspark): its namespace serves `x.default`, `x.name` and `import * as x` alike.
              if ((e as { code?: unknown }).code !== "ERR_REQUIRE_ESM" && (e as { code?: unknown }).code !== "ERR_REQUIRE_ASYNC_MODULE") throw e;
              exp = await importUrl(n.url);
            }
            v = n.name === undefined ? exp : (exp as Record<string, unknown>)[n.name];
          }
        } catch (e) {
          throw new TsparkError("CLOSURE_REVIVE", `cannot load module ${n.url} in the worker: ${errorMessage(e)}`, { cause: e });
        }
        registerImportedClasses(node, v);
        this.set(i, v);
      } else if (node?.k === "hook") {
        const ns = await importUrl(node.module);
        const factory = ns[node.export];
        if (typeof factory !== "function") throw new TsparkError("CLOSURE_REVIVE", `${node.module} has no function export "${node.export}"`);
        this.set(i, await (factory as (...a: unknown[]) => unknown)(...node.args));
      }
    }
  }

  /** The value of a slot, completely rebuilt. */
  resolve(slot: Slot): unknown {
    let out: unknown;
    let got = false;
    this.get(slot, (v) => {
      out = v;
      got = true;
    });
    this.drain(0);
    if (!got) throw new Error("a value depends on a class that is still being defined");
    return out;
  }

  /** Runs the pending jobs above `mark` (and whatever they add). */
  private drain(mark: number): void {
    while (this.jobs.length > mark) this.jobs.pop()!();
  }

  finish(): void {
    if (this.waiters.size > 0) throw new Error("circular dependency between classes in the captured values");
  }

  private set(n: number, v: unknown): void {
    this.values[n] = v;
    this.state[n] = DONE;
    const w = this.waiters.get(n);
    if (w) {
      this.waiters.delete(n);
      for (const f of w) f(v);
    }
  }

  /** Calls `use` with the slot's value now, or as soon as it exists (class cycles). */
  private get(slot: Slot, use: (v: unknown) => void): void {
    if (!isRef(slot)) {
      use(slot);
      return;
    }
    const n = slot.r;
    if (this.state[n] === NONE) this.build(n);
    if (this.state[n] === DONE) {
      use(this.values[n]);
      return;
    }
    let w = this.waiters.get(n);
    if (!w) this.waiters.set(n, (w = []));
    w.push(use);
  }

  private all(slots: Slot[], use: (vs: unknown[]) => void): void {
    const out = new Array<unknown>(slots.length);
    let left = slots.length;
    if (left === 0) {
      use(out);
      return;
    }
    slots.forEach((s, i) =>
      this.get(s, (v) => {
        out[i] = v;
        if (--left === 0) use(out);
      }),
    );
  }

  private key(k: Key): string | symbol {
    if (typeof k === "string") return k;
    let sym: unknown;
    this.get(k, (v) => (sym = v)); // symbol nodes are leaves: available at once
    return sym as symbol;
  }

  private defineProps(target: object, props: Props | undefined, hidden?: ReadonlySet<string>): void {
    for (const [k, s] of props ?? []) {
      const key = this.key(k);
      this.get(s, (v) => {
        Object.defineProperty(target, key, { value: v, writable: true, enumerable: !(typeof key === "string" && hidden?.has(key)), configurable: true });
      });
    }
  }

  private proto(target: object, proto: Slot | undefined): void {
    if (proto === undefined) return;
    this.get(proto, (p) => Object.setPrototypeOf(target, p as object | null));
  }

  private build(n: number): void {
    const node = this.nodes[n];
    if (!node) throw new Error(`missing node ${n}`);
    this.state[n] = BUILDING;
    switch (node.k) {
      case "sym":
        this.set(n, node.key !== undefined ? Symbol.for(node.key) : node.wellKnown !== undefined ? (Symbol as unknown as Record<string, symbol>)[node.wellKnown] : Symbol(node.description));
        return;
      case "global": {
        const v = valueAtPath(node.path);
        if (v === undefined) throw new Error(`the global ${node.path} does not exist in the worker`);
        this.set(n, v);
        return;
      }
      case "mod":
      case "hook":
        throw new Error(`module node ${n} was not loaded`);
      case "req": {
        const base = node.url.startsWith("file:") ? fileURLToPath(node.url) : `${process.cwd()}/[worker]`;
        if (TS_URL.test(node.url)) ensureTsxCjs();
        this.set(n, createRequire(base));
        return;
      }
      case "dynImport": {
        const base = node.url || `file://${process.cwd()}/`;
        // The resolver (import-meta-resolve) loads only if a revived function calls import().
        this.set(n, async (specifier: unknown) => importUrl((await import("./modules.js")).resolveImport(String(specifier), base)));
        return;
      }
      case "obj": {
        // Create instances with their prototype when it exists already: changing an object's
        // prototype afterwards makes V8's property access on it slower.
        const holder: { o?: object } = {};
        if (node.proto === null) holder.o = Object.create(null) as object;
        else if (node.proto !== undefined) {
          this.get(node.proto, (p) => {
            if (holder.o === undefined) holder.o = Object.create(p as object | null) as object;
            else Object.setPrototypeOf(holder.o, p as object | null);
          });
        }
        const o = (holder.o ??= {}); // a class still being defined (a cycle): prototype set later
        this.set(n, o);
        this.jobs.push(() => this.defineProps(o, node.props));
        return;
      }
      case "arr": {
        const a = new Array<unknown>(node.items.length);
        this.set(n, a);
        this.jobs.push(() => {
          node.items.forEach((s, i) => this.get(s, (v) => (a[i] = v)));
          this.defineProps(a, node.props);
          this.proto(a, node.proto);
        });
        return;
      }
      case "map": {
        const m = new Map<unknown, unknown>();
        this.set(n, m);
        this.jobs.push(() => {
          for (const [ks, vs] of node.entries) this.all([ks, vs], ([k, v]) => m.set(k, v));
          this.proto(m, node.proto);
        });
        return;
      }
      case "set": {
        const s = new Set<unknown>();
        this.set(n, s);
        this.jobs.push(() => {
          for (const item of node.items) this.get(item, (v) => s.add(v));
          this.proto(s, node.proto);
        });
        return;
      }
      case "date": {
        const d = new Date(node.time);
        this.set(n, d);
        this.proto(d, node.proto);
        return;
      }
      case "re": {
        const re = new RegExp(node.source, node.flags);
        re.lastIndex = node.lastIndex;
        this.set(n, re);
        this.proto(re, node.proto);
        return;
      }
      case "err": {
        const Ctor = (globalThis as unknown as Record<string, unknown>)[node.ctor];
        let e: Error;
        if (Ctor === AggregateError) e = new AggregateError([], node.message);
        else e = new (typeof Ctor === "function" ? (Ctor as ErrorConstructor) : Error)(node.message);
        if (node.stack !== undefined) Object.defineProperty(e, "stack", { value: node.stack, writable: true, configurable: true, enumerable: false });
        this.set(n, e);
        this.jobs.push(() => {
          this.defineProps(e, node.props, new Set(["cause", "errors"]));
          this.proto(e, node.proto);
        });
        return;
      }
      case "buf": {
        const b = node.shared ? new SharedArrayBuffer(node.bytes.byteLength) : new ArrayBuffer(node.bytes.byteLength);
        new Uint8Array(b).set(node.bytes);
        this.set(n, b);
        return;
      }
      case "view": {
        const copy = new Uint8Array(node.bytes.byteLength);
        copy.set(node.bytes);
        let v: object;
        if (node.type === "Buffer") v = Buffer.from(copy.buffer, 0, copy.byteLength);
        else if (node.type === "DataView") v = new DataView(copy.buffer);
        else {
          const Ctor = (globalThis as unknown as Record<string, unknown>)[node.type];
          if (typeof Ctor !== "function") throw new Error(`unknown typed array type ${node.type}`);
          v = new (Ctor as new (b: ArrayBuffer) => object)(copy.buffer);
        }
        this.set(n, v);
        this.proto(v, node.proto);
        return;
      }
      case "box":
        this.get(node.value, (v) => this.set(n, Object(v)));
        return;
      case "new": {
        const Ctor = valueAtPath(node.ctor);
        if (typeof Ctor !== "function") throw new Error(`the global ${node.ctor} does not exist in the worker`);
        // Constructors read their arguments: fill them first.
        const mark = this.jobs.length;
        this.all(node.args, (args) => {
          this.drain(mark);
          this.set(n, new (Ctor as new (...a: unknown[]) => object)(...args));
        });
        return;
      }
      case "protoOf":
        this.get(node.fn, (f) => this.set(n, (f as { prototype: unknown }).prototype));
        return;
      case "bound":
        this.all([node.target, node.thisArg, ...node.args], ([t, th, ...args]) => this.set(n, (t as Function).bind(th, ...args)));
        return;
      case "fn": {
        // A class this process already has (revived with another closure): the same class.
        const known = node.cls === undefined ? undefined : recordClass(node.cls);
        if (known) this.set(n, known);
        else this.buildFunction(n, node);
        return;
      }
    }
  }

  private buildFunction(n: number, node: FnNode): void {
    const { thunk, bind } = compile(node);
    const finish = (fn: Function) => {
      if (typeof fn.name === "string" && fn.name !== node.name) {
        try {
          Object.defineProperty(fn, "name", { value: node.name, configurable: true });
        } catch {
          // a class with a static `name` member keeps it
        }
      }
      this.defineProps(fn, node.props);
      const proto = (fn as { prototype?: unknown }).prototype;
      if (node.protoProps && typeof proto === "object" && proto !== null) this.defineProps(proto, node.protoProps);
    };
    const bindAll = () => node.captures.forEach(([, s], i) => this.get(s, (v) => bind(i, v)));
    if (node.isClass) {
      // A class evaluates `extends` and static initializers when defined: its captured
      // values must be complete (bound and filled) before that.
      const mark = this.jobs.length;
      bindAll();
      this.drain(mark);
      const cls = thunk.call(undefined);
      if (node.cls !== undefined) registerRecordClass(node.cls, cls);
      this.set(n, cls);
      finish(cls);
      return;
    }
    const create = (thisArg: unknown) => {
      const fn = thunk.call(thisArg);
      if (node.cls !== undefined) registerRecordClass(node.cls, fn);
      this.set(n, fn);
      // Bound later (before anything calls it): recursion and long call chains stay flat.
      this.jobs.push(() => {
        bindAll();
        finish(fn);
      });
    };
    if (node.thisArg !== undefined) this.get(node.thisArg, create);
    else create(undefined);
  }
}

interface Compiled {
  thunk: (this: unknown) => Function;
  bind: (i: number, v: unknown) => void;
}

/**
 * `(()=>{let a,b;return[()=>(SRC\n),($i,$v)=>{switch($i){case 0:a=$v;break;...}}]})`, compiled
 * so that SRC's first character sits at the function's original line and column.
 */
function compile(node: FnNode): Compiled {
  const names = node.captures.map(([name]) => name);
  const taken = new Set(names);
  let i = "$i";
  let v = "$v";
  while (taken.has(i)) i += "_";
  while (taken.has(v)) v += "_";
  const open = node.form === "method" ? "({" : "(";
  const close = node.form === "method" ? "\n})" : "\n)";
  // Arrows capturing `this` (class field arrows) need a thunk with a `this` of its own.
  const [thunkOpen, thunkClose] = node.thisArg !== undefined ? ["function(){return", "}"] : ["()=>", ""];
  // Strict code stays strict, unless it must bind `arguments`/`eval` (illegal names there).
  const strict = node.strict === true && !names.some((n) => n === "arguments" || n === "eval");
  const prefix = `(()=>{${strict ? '"use strict";' : ""}${names.length ? `let ${names.join(",")};` : ""}return[${thunkOpen}${open}`;
  const cases = names.map((name, j) => `case ${j}:${name}=${v};break;`).join("");
  const code = `${prefix}${node.src}${close}${thunkClose},(${i},${v})=>{switch(${i}){${cases}}}]})`;
  const script = new vm.Script(code, {
    filename: node.url || `tspark-closure:${node.name || "anonymous"}`,
    lineOffset: node.line,
    columnOffset: node.col - prefix.length,
  });
  const factory = script.runInThisContext() as () => [(this: unknown) => unknown, (i: number, v: unknown) => void];
  const [rawThunk, bind] = factory();
  const thunk = function (this: unknown): Function {
    let value = rawThunk.call(this);
    if (node.form === "method") {
      // `({ m() {} })`: the method (or accessor) is the object's only property.
      const d = Object.values(Object.getOwnPropertyDescriptors(value as object))[0];
      value = d ? (d.value ?? d.get ?? d.set) : undefined;
    }
    if (typeof value !== "function") throw new Error(`the source of ${node.name || "a function"} did not evaluate to a function`);
    return value;
  };
  return { thunk, bind };
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
