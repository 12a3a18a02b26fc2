/**
 * Standard globals: names a closure may use freely (the worker has its own), and well-known
 * values (Math.max, JSON, Array.prototype...) that cross by path instead of by value.
 */
import vm from "node:vm";

export { valueAtPath } from "./format.js";

// Node's own globals, some of which appear on globalThis only lazily, plus CommonJS
// module-scope names (free in a function's source, present in every worker module).
const NODE_GLOBALS = [
  "global", "globalThis", "process", "Buffer", "console", "require", "module", "exports", "__filename", "__dirname",
  "setTimeout", "clearTimeout", "setInterval", "clearInterval", "setImmediate", "clearImmediate", "queueMicrotask",
  "structuredClone", "atob", "btoa", "fetch", "Request", "Response", "Headers", "FormData", "File", "Blob",
  "URL", "URLSearchParams", "TextEncoder", "TextDecoder", "TextEncoderStream", "TextDecoderStream",
  "AbortController", "AbortSignal", "Event", "EventTarget", "CustomEvent", "MessageChannel", "MessagePort",
  "MessageEvent", "BroadcastChannel", "DOMException", "performance", "Performance", "PerformanceEntry",
  "PerformanceMark", "PerformanceMeasure", "PerformanceObserver", "PerformanceObserverEntryList",
  "PerformanceResourceTiming", "crypto", "Crypto", "CryptoKey", "SubtleCrypto", "navigator", "Navigator",
  "ReadableStream", "ReadableStreamDefaultReader", "ReadableStreamBYOBReader", "ReadableStreamBYOBRequest",
  "ReadableByteStreamController", "ReadableStreamDefaultController", "TransformStream",
  "TransformStreamDefaultController", "WritableStream", "WritableStreamDefaultWriter",
  "WritableStreamDefaultController", "ByteLengthQueuingStrategy", "CountQueuingStrategy",
  "CompressionStream", "DecompressionStream", "WebSocket", "EventSource", "WebAssembly", "Iterator",
];

function computeStandardGlobals(): Set<string> {
  const names = new Set<string>(NODE_GLOBALS);
  for (const n of vm.runInNewContext("Object.getOwnPropertyNames(globalThis)") as string[]) names.add(n);
  // What Node itself put on globalThis (this module loads early): lazy getters and functions.
  // Data values are left out: a program that sets globalThis.config before importing
  // tspark still gets `config` copied to workers.
  for (const n of Object.getOwnPropertyNames(globalThis)) {
    const d = Object.getOwnPropertyDescriptor(globalThis, n);
    if (d && (!("value" in d) || typeof d.value === "function")) names.add(n);
  }
  return names;
}

/** Computed at module load, before user code has added globals of its own. */
export const STANDARD_GLOBALS: ReadonlySet<string> = computeStandardGlobals();

/** Global names whose values we never descend into when building well-known paths. */
const OPAQUE = new Set(["global", "globalThis", "process", "require", "module", "exports", "navigator", "crypto", "performance"]);

let wellKnown: Map<unknown, string> | undefined;

function buildWellKnown(): Map<unknown, string> {
  const map = new Map<unknown, string>();
  const add = (v: unknown, p: string) => {
    if ((typeof v === "object" || typeof v === "function") && v !== null && !map.has(v)) map.set(v, p);
  };
  const names = [...STANDARD_GLOBALS].filter((n) => /^[A-Za-z_$][\w$]*$/.test(n)).sort();
  const values: Array<[string, unknown]> = [];
  for (const n of ["globalThis", ...names]) {
    // Only data properties: getters are lazy globals whose first read loads modules (and in
    // `node -e` or the REPL, builtin modules such as `sys` that print warnings).
    const d = Object.getOwnPropertyDescriptor(globalThis, n);
    const v: unknown = d && "value" in d ? d.value : undefined;
    if (v === undefined) continue;
    add(v, n);
    values.push([n, v]);
  }
  for (const [n, v] of values) {
    if (OPAQUE.has(n) || (typeof v !== "object" && typeof v !== "function") || v === null) continue;
    addDataProps(v, n, add);
    if (typeof v === "function") {
      const proto: unknown = (v as { prototype?: unknown }).prototype;
      if (typeof proto === "object" && proto !== null) {
        add(proto, `${n}.prototype`);
        addDataProps(proto, `${n}.prototype`, add);
      }
    }
  }
  return map;
}

function addDataProps(o: object, prefix: string, add: (v: unknown, p: string) => void): void {
  for (const k of Object.getOwnPropertyNames(o)) {
    if (!/^[A-Za-z_$][\w$]*$/.test(k) || k === "constructor") continue;
    const d = Object.getOwnPropertyDescriptor(o, k);
    if (d && "value" in d) add(d.value, `${prefix}.${k}`);
  }
}

/** The path of a well-known global value (e.g. "Math.max"), if it is one. */
export function wellKnownPath(value: object | Function): string | undefined {
  wellKnown ??= buildWellKnown();
  return wellKnown.get(value);
}

export const WELL_KNOWN_SYMBOLS: ReadonlyMap<symbol, string> = new Map(
  Object.getOwnPropertyNames(Symbol)
    .map((k) => [(Symbol as unknown as Record<string, unknown>)[k], k] as const)
    .filter((e): e is readonly [symbol, string] => typeof e[0] === "symbol"),
);
