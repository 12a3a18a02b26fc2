/**
 * Closure shipping, end to end: user-like fixture programs (run with tsx, as users run
 * theirs) capture functions; this process (or a fresh plain node process) revives and calls
 * them and compares with what the originals returned on the driver.
 */
import test, { before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { fileURLToPath, pathToFileURL } from "node:url";
import v8 from "node:v8";
import { captureClosure, functionOrigin } from "./capture.js";
import { enableDebugger, knownScripts, post } from "./inspector.js";
import { reviveClosure } from "./revive.js";
import { mapStackToSource } from "./source-map.js";
import { CAPTURE_AS, UNSHIPPABLE } from "./hooks.js";
import { decodePayload, FORMAT_VERSION } from "./format.js";
import { TsparkError } from "../errors.js";

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const FIXTURES = path.join(ROOT, "test", "fixtures", "closure");

interface CaseRecord {
  name: string;
  id: string;
  bytes: Uint8Array;
  args: unknown[];
  kind: string;
  expected: unknown;
}
interface CaseFile {
  records: CaseRecord[];
  extra: Record<string, unknown>;
}

let tmp = "";
let esm: CaseFile;
let cjs: CaseFile;
let refusals: Array<{ name: string; code?: string; message: string }>;
let stack: { raw: string; mapped: string };

/** Runs a fixture program the way users run theirs: node --import tsx, from the repo root. */
async function fixture(rel: string, ...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, ["--import", "tsx", path.join(FIXTURES, rel), ...args], { cwd: ROOT, encoding: "utf8" });
  return stdout;
}

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tspark-closure-"));
  const [, , , stackOut] = await Promise.all([
    fixture("esm-cases.ts", path.join(tmp, "esm.bin")),
    fixture(path.join("cjs", "cases.ts"), path.join(tmp, "cjs.bin")),
    fixture("refusals.ts", path.join(tmp, "refusals.json")),
    fixture("stack.ts", path.join(tmp, "stack.bin")),
  ]);
  esm = v8.deserialize(fs.readFileSync(path.join(tmp, "esm.bin"))) as CaseFile;
  cjs = v8.deserialize(fs.readFileSync(path.join(tmp, "cjs.bin"))) as CaseFile;
  refusals = JSON.parse(fs.readFileSync(path.join(tmp, "refusals.json"), "utf8")) as typeof refusals;
  stack = JSON.parse(stackOut) as typeof stack;
});

after(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** Awaits promises and drains (async) iterators, as the fixture harness does. */
async function settle(v: unknown): Promise<unknown> {
  const r: unknown = await v;
  if (r && typeof r === "object" && (Symbol.asyncIterator in r || (Symbol.iterator in r && typeof (r as { next?: unknown }).next === "function"))) {
    const out: unknown[] = [];
    for await (const x of r as AsyncIterable<unknown>) out.push(x);
    return out;
  }
  return r;
}

const plain = (x: unknown): unknown => v8.deserialize(v8.serialize(x));

async function checkRecord(r: CaseRecord): Promise<void> {
  const fn = await reviveClosure(r.bytes);
  assert.equal(fn.constructor.name, r.kind, "async functions stay async, generators stay generators");
  const got = await settle((fn as (...a: unknown[]) => unknown)(...r.args));
  assert.deepEqual(plain(got), plain(r.expected));
}

const ESM_CASES = [
  "module-scope", "closure-scope", "block-scope", "non-standard-global", "nested-functions", "recursion",
  "function-properties", "values", "identity-and-cycles", "class-instances", "class-field-arrow", "es5-class",
  "method-shorthand", "method-as-root", "computed-method-as-root", "object-with-methods", "async-function",
  "async-generator", "generator", "node-builtins", "npm-package", "relative-ts-import", "import-meta",
  "dynamic-import", "native-root", "native-captured", "bound-function", "library-values",
  "catch-and-block-scopes", "enums-iterables-defaults", "bound-method", "strict-mode", "arguments-object", "json-import",
];
const CJS_CASES = [
  "cjs-module-scope", "cjs-closure-scope", "cjs-recursion", "cjs-node-builtins", "cjs-npm-package",
  "cjs-relative-ts-import", "cjs-hand-written-require", "cjs-require-inside", "cjs-filename", "cjs-class-instance", "cjs-library-value", "cjs-imports-esm", "cjs-sloppy-mode", "cjs-async",
];

describe("ES module program: captured on the driver, revived here", () => {
  for (const name of ESM_CASES) {
    test(name, async () => {
      const r = esm.records.find((x) => x.name === name);
      assert.ok(r, `the fixture captured ${name}`);
      await checkRecord(r);
    });
  }
  test("the fixture has no case without a test", () => {
    assert.deepEqual(esm.records.map((r) => r.name).sort(), [...ESM_CASES].sort());
  });
  test("imports and library code travel as module references, never as copied code", () => {
    const nodesOf = (name: string) => decodePayload(esm.records.find((r) => r.name === name)!.bytes).nodes;
    const mods = (name: string) => nodesOf(name).flatMap((n) => (n.k === "mod" ? [`${path.basename(n.url)}#${n.name ?? ""}`] : []));
    assert.deepEqual(mods("node-builtins").sort(), ["node:path#*", "node:crypto#createHash"].sort());
    assert.deepEqual(mods("relative-ts-import").sort(), ["helper.ts#Greeter", "helper.ts#default", "helper.ts#scale"]);
    assert.deepEqual(mods("library-values").sort(), ["acorn.mjs#Parser", "acorn.mjs#parse", "errors.js#TsparkError"]);
    for (const name of ["library-values", "npm-package", "node-builtins"]) {
      const copied = nodesOf(name).filter((n) => n.k === "fn" && /node_modules|\/dist\//.test(n.url));
      assert.deepEqual(copied, [], `${name} copies no library function`);
    }
  });
});

describe("CommonJS program (tsx's require/__toESM output): captured, revived here", () => {
  for (const name of CJS_CASES) {
    test(name, async () => {
      const r = cjs.records.find((x) => x.name === name);
      assert.ok(r, `the fixture captured ${name}`);
      await checkRecord(r);
    });
  }
  test("the fixture has no case without a test", () => {
    assert.deepEqual(cjs.records.map((r) => r.name).sort(), [...CJS_CASES].sort());
  });
});

describe("a fresh plain node process (no tsx loaded) as the worker", () => {
  const callIn = async (bytes: Uint8Array, args: unknown[]) => {
    const file = path.join(tmp, `call-${Math.random().toString(36).slice(2)}.bin`);
    fs.writeFileSync(file, bytes);
    const { stdout } = await run(process.execPath, [path.join(FIXTURES, "call-revived.mjs"), file, JSON.stringify(args)], { cwd: ROOT, encoding: "utf8" });
    return JSON.parse(stdout) as { value?: unknown; kind?: string; error?: { message: string } };
  };
  test("imports a relative .ts helper (registers tsx lazily), ESM and CommonJS", async () => {
    const [e, c] = await Promise.all([
      callIn(esm.records.find((r) => r.name === "relative-ts-import")!.bytes, [2]),
      callIn(cjs.records.find((r) => r.name === "cjs-relative-ts-import")!.bytes, [3]),
    ]);
    assert.deepEqual(e.value, [6, "hello, worker", "HEY!"]);
    assert.deepEqual(c.value, [12, "OK!", "hi, cjs"]);
  });
  test("a CommonJS program's import of an ES module is imported (require would fail without tsx)", async () => {
    const r = await callIn(cjs.records.find((x) => x.name === "cjs-imports-esm")!.bytes, []);
    assert.equal(r.value, "CONFIG");
  });
});

describe("closure ids", () => {
  test("the same function captured twice has one id; mutating a captured variable changes it", async () => {
    const [first, again, mutated] = esm.extra.ids as string[];
    assert.equal(first, again);
    assert.notEqual(first, mutated);
    const fn = await reviveClosure(esm.extra.mutatedBytes as Uint8Array);
    assert.equal((fn as () => number)(), 2);
  });
  test("id is the sha1 of the bytes; bytes carry the format version", () => {
    const k = 3;
    const c = captureClosure((x: number) => x * k);
    assert.match(c.id, /^[0-9a-f]{40}$/);
    assert.deepEqual([...c.bytes.subarray(0, 4)], [0x54, 0x53, 0x43, FORMAT_VERSION]);
    assert.equal(captureClosure((x: number) => x * k).id === c.id, false, "another function (other position) has another id");
  });
  test("revival is cached per process", async () => {
    const k = 5;
    const { bytes } = captureClosure((x: number) => x + k);
    const a = await reviveClosure(bytes);
    const b = await reviveClosure(bytes.slice());
    assert.equal(a, b);
    assert.equal((a as (x: number) => number)(1), 6);
  });
  test("corrupt or foreign bytes are refused with CLOSURE_REVIVE", async () => {
    await assert.rejects(reviveClosure(new Uint8Array([1, 2, 3, 4, 5])), (e: unknown) => e instanceof TsparkError && e.code === "CLOSURE_REVIVE");
    const { bytes } = captureClosure(() => 1);
    const future = bytes.slice();
    future[3] = FORMAT_VERSION + 1;
    await assert.rejects(reviveClosure(future), /closure format/);
  });
});

describe("refusals at capture time name the variable and the user's line", () => {
  const lineOf = (name: string, file = "refusals.ts"): number => {
    const lines = fs.readFileSync(path.join(FIXTURES, file), "utf8").split("\n");
    const i = lines.findIndex((l) => l.includes(`// @line ${name}`));
    assert.ok(i >= 0, `marker for ${name}`);
    return i + 1;
  };
  const expectations: Array<[string, RegExp]> = [
    ["unshippable", /captures "sc" \(the SparkContext\)\. The SparkContext and RDDs exist only on the driver.*SPARK-5063/],
    ["socket", /captures variable "sock" \(a net\.Socket\), which cannot be sent to a worker process/],
    ["nested-socket", /captures variable "conf\.sock" \(a net\.Socket\)/],
    ["stream", /captures variable "stream" \(a PassThrough stream\)/],
    ["emitter", /captures variable "emitter" \(an EventEmitter\)/],
    ["weakmap", /captures variable "cache" \(a WeakMap\)/],
    ["promise", /captures variable "pending" \(a Promise\).*Await it/],
    ["private-fields", /captures variable "secret" \(an instance of class Secret, which has #private fields\)/],
    ["this-arrow", /is an arrow function that uses `this`/],
    ["read-stream", /captures variable "file\.handle" \(a ReadStream \(a stream\)\)/],
    ["via-helper", /captures variable "send → sock" \(a net\.Socket\)/],
    ["file-handle", /captures variable "fh" \(a FileHandle, a Node\.js internal object\)/],
    ["child-process", /captures variable "child" \(a child process\)/],
    ["worker-thread", /captures variable "thread" \(a worker thread\)/],
    ["message-port", /captures variable "port1" \(a MessagePort\)/],
    ["crypto-key", /captures variable "key" \(a crypto key\).*key\.export\(\)/],
    ["timer", /captures variable "timer" \(a Timeout, a Node\.js internal object\)/],
    ["server", /captures variable "server" \(a Server \(an EventEmitter\)\)/],
    ["zlib-stream", /captures variable "gzip" \(a Gzip stream\)/],
  ];
  for (const [name, re] of expectations) {
    test(name, () => {
      const r = refusals.find((x) => x.name === name);
      assert.ok(r);
      assert.equal(r.code, "CLOSURE_CAPTURE", r.message);
      assert.match(r.message, re);
      assert.match(r.message, new RegExp(`^map function at refusals\\.ts:${lineOf(name)}:\\d+ `));
    });
  }
});

describe("stack traces", () => {
  test("a revived function throwing in another process maps back to the fixture's .ts lines", () => {
    const lines = fs.readFileSync(path.join(FIXTURES, "stack.ts"), "utf8").split("\n");
    const throwLine = lines.findIndex((l) => l.includes("// @line throw")) + 1;
    const callerLine = lines.findIndex((l) => l.includes("// @line caller")) + 1;
    const url = pathToFileURL(path.join(FIXTURES, "stack.ts")).href;
    assert.match(stack.raw, /RangeError: too big: 5/);
    // Worker frames carry the script URL with positions in the transpiled code...
    assert.ok(stack.raw.includes(`at validate (${url}:`), stack.raw);
    // ...which the driver maps to the TypeScript source.
    const frames = stack.mapped.split("\n");
    assert.match(frames[1] ?? "", new RegExp(`at validate \\(${escape(url)}:${throwLine}:11\\)`));
    assert.match(frames[2] ?? "", new RegExp(`at double \\(${escape(url)}:${callerLine}:\\d+\\)`));
  });
  test("mapStackToSource keeps lines it cannot map", () => {
    const s = "Error: x\n    at foo (file:///nowhere/none.js:1:2)\n    at node:internal/x:3:4";
    assert.equal(mapStackToSource(s), s);
  });
  test("functionOrigin is 1-based and points at the TypeScript source (via tsc's source map)", () => {
    const here = () => 1;
    const o = functionOrigin(here);
    assert.ok(o);
    assert.ok(o.url.endsWith("closure.test.ts"), o.url);
    const src = fs.readFileSync(path.join(ROOT, "src", "closure", "closure.test.ts"), "utf8").split("\n");
    assert.match(src[o.line - 1] ?? "", /const here = \(\) => 1;/);
    assert.equal(src[o.line - 1]?.indexOf("() => 1"), o.column - 1);
    assert.equal(functionOrigin(Math.max), undefined);
  });
});

describe("engine hooks", () => {
  test("an object with [CAPTURE_AS] crosses by reference and is rebuilt by its module", async () => {
    const handle = {
      [CAPTURE_AS]: () => ({ module: pathToFileURL(path.join(FIXTURES, "hook-target.mjs")).href, export: "makeHandle", args: ["b1", 2] }),
    };
    const fn = await reviveClosure(captureClosure(() => handle).bytes);
    assert.deepEqual((fn as () => unknown)(), { name: "b1", version: 2, revivedIn: process.pid });
  });
  test("an object marked [UNSHIPPABLE] is refused with SPARK-5063 advice", () => {
    const rdd = { [UNSHIPPABLE]: "an RDD" };
    assert.throws(
      () => captureClosure((x: number) => [rdd, x], "filter function"),
      (e: unknown) => e instanceof TsparkError && e.code === "CLOSURE_CAPTURE" && /^filter function at closure\.test\.ts:\d+:\d+ captures "rdd" \(an RDD\)\..*SPARK-5063/.test(e.message),
    );
  });
});

describe("more shapes", () => {
  test("a class with a superclass from an expression, static blocks and accessors", async () => {
    class Base {
      static created = 0;
      static {
        Base.created = 1;
      }
      get double() {
        return 2;
      }
    }
    const mixin = (B: typeof Base) =>
      class extends B {
        tag() {
          return "mixed";
        }
      };
    class Child extends mixin(Base) {
      hello() {
        return `${this.tag()}-${this.double}-${Base.created}`;
      }
    }
    const fn = await reviveClosure(captureClosure(() => new Child().hello()).bytes);
    assert.equal((fn as () => string)(), "mixed-2-1");
  });
  test("getters of plain objects are read as values; symbol keys and sparse arrays survive", async () => {
    const tag = Symbol("local");
    let reads = 0;
    const o = {
      get now() {
        reads++;
        return 41;
      },
      [Symbol.for("k")]: "registered",
      [tag]: "local",
    };
    const fn = await reviveClosure(captureClosure(() => [o.now + 1, o[Symbol.for("k")], Object.getOwnPropertySymbols(o).length]).bytes);
    assert.deepEqual((fn as () => unknown)(), [42, "registered", 2]);
    assert.equal(reads, 1);
  });
  test("a Map keyed by objects keeps key identity; a Set of shared objects too", async () => {
    const key = { id: 1 };
    const m = new Map([[key, "v"]]);
    const s = new Set([key]);
    const fn = await reviveClosure(captureClosure(() => [m.get([...s][0]!), [...m.keys()][0] === [...s][0]]).bytes);
    assert.deepEqual((fn as () => unknown)(), ["v", true]);
  });
  test("an Error subclass instance keeps its class, message and cause", async () => {
    class AppError extends Error {
      constructor(msg: string, readonly status: number) {
        super(msg, { cause: "root" });
        this.name = "AppError";
      }
    }
    const err = new AppError("nope", 418);
    const fn = await reviveClosure(captureClosure(() => [err instanceof AppError, err instanceof Error, err.message, err.status, err.cause, err.name]).bytes);
    assert.deepEqual((fn as () => unknown)(), [true, true, "nope", 418, "root", "AppError"]);
  });
  test("native functions not reachable from a global are refused; bound natives are captured by path", () => {
    const boundLog = Math.min.bind(null, 5);
    const ok = captureClosure(() => boundLog(9));
    assert.ok(ok.id);
    const nativeish = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(new Map().entries()), "next")!.value as Function;
    assert.throws(() => captureClosure(() => nativeish), /captures variable "nativeish" \(a native function \(next\)\)/);
  });
  test("deep graphs (a 10,000-long linked list) do not exhaust the call stack", async () => {
    type Cell = { v: number; next: Cell | null };
    let list: Cell | null = null;
    for (let i = 0; i < 10_000; i++) list = { v: i, next: list };
    const length = () => {
      let n = 0;
      for (let p = list; p; p = p.next) n++;
      return n;
    };
    const fn = await reviveClosure(captureClosure(length).bytes);
    assert.equal((fn as () => number)(), 10_000);
  });
  test("captures a function in a few milliseconds (warm)", () => {
    const big = Array.from({ length: 100 }, (_, i) => ({ i, s: `v${i}` }));
    const helper = (x: number) => x + 1;
    const f = (x: number) => helper(x) + big.length;
    captureClosure(f);
    const t0 = performance.now();
    for (let i = 0; i < 20; i++) captureClosure(f);
    const perCapture = (performance.now() - t0) / 20;
    assert.ok(perCapture < 20, `capture took ${perCapture.toFixed(2)} ms`);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

test("scripts without a URL (the inspector's own evaluations, made for every job's captures) are not kept in its table of scripts", async () => {
  enableDebugger();
  await new Promise((r) => setImmediate(r));
  const before = knownScripts();
  for (let i = 0; i < 100; i++) post("Runtime.evaluate", { expression: `${i} + 1` });
  await new Promise((r) => setImmediate(r)); // the session reports parsed scripts asynchronously
  assert.equal(knownScripts(), before);
});
