/**
 * Driver-side access to V8's in-process inspector: a function's location, its closure
 * scopes ([[Scopes]]) with their current values, and the source of the script it lives in.
 * An in-process session answers `post` synchronously, which keeps capture synchronous.
 */
import inspector from "node:inspector";
import { TsparkError } from "../errors.js";

type RemoteObject = inspector.Runtime.RemoteObject;
type PropertyDescriptor = inspector.Runtime.PropertyDescriptor;
type InternalPropertyDescriptor = inspector.Runtime.InternalPropertyDescriptor;

/** Remote objects created while capturing live in this group, released after each capture. */
export const OBJECT_GROUP = "tspark-closure";
// A global slot to move values between the inspector's world (object ids) and ours.
const SLOT = "__tspark_closure_slot__";

let session: inspector.Session | undefined;
let debuggerOn = false;
const scriptUrls = new Map<string, string>(); // scriptId -> url
const urlToScript = new Map<string, string>(); // url -> first scriptId
const sources = new Map<string, string>(); // scriptId -> source text

function connect(): inspector.Session {
  if (session) return session;
  const s = new inspector.Session();
  try {
    s.connect();
  } catch (e) {
    throw new TsparkError("CLOSURE_CAPTURE", "cannot capture functions: the V8 inspector is unavailable in this process", { cause: e });
  }
  Object.defineProperty(globalThis, SLOT, { value: undefined, writable: true, configurable: true, enumerable: false });
  session = s;
  return s;
}

/** Calls an inspector method; in-process sessions call back before `post` returns. */
export function post<T>(method: string, params: object = {}): T {
  const s = connect();
  let done = false;
  let error: Error | null = null;
  let result: unknown;
  s.post(method, params, (err, res) => {
    done = true;
    error = err;
    result = res;
  });
  if (!done) throw new TsparkError("CLOSURE_CAPTURE", `the V8 inspector did not answer ${method} synchronously`);
  if (error) throw error;
  return result as T;
}

/** Turns on the debugger domain once: it replays (and then reports) every script's URL. */
export function enableDebugger(): void {
  if (debuggerOn) return;
  const s = connect();
  s.on("Debugger.scriptParsed", (m: inspector.InspectorNotification<inspector.Debugger.ScriptParsedEventDataType>) => {
    // Scripts without a URL (evals, each job's compiled functions) are "" anyway: kept, they
    // would grow the table by a few entries per job for the life of the program.
    if (!m.params.url) return;
    scriptUrls.set(m.params.scriptId, m.params.url);
    // The first script with a URL is the module itself; later ones (revived closures
    // compiled under the same name, evals) must not shadow it.
    if (m.params.url && !urlToScript.has(m.params.url)) urlToScript.set(m.params.url, m.params.scriptId);
  });
  post("Debugger.enable", {});
  debuggerOn = true;
}

/** How many scripts with a URL the table holds (a test checks it does not grow with every capture). */
export function knownScripts(): number {
  return scriptUrls.size;
}

export function scriptUrl(scriptId: string): string {
  enableDebugger();
  return scriptUrls.get(scriptId) ?? "";
}

export function scriptIdForUrl(url: string): string | undefined {
  enableDebugger();
  return urlToScript.get(url);
}

export function scriptSource(scriptId: string): string {
  enableDebugger();
  let src = sources.get(scriptId);
  if (src === undefined) {
    src = post<inspector.Debugger.GetScriptSourceReturnType>("Debugger.getScriptSource", { scriptId }).scriptSource;
    sources.set(scriptId, src);
  }
  return src;
}

/** The remote object id of a local value (valid until the object group is released). */
export function remoteId(value: object | symbol): string {
  const g = globalThis as Record<string, unknown>;
  g[SLOT] = value;
  try {
    const r = post<inspector.Runtime.EvaluateReturnType>("Runtime.evaluate", { expression: `globalThis.${SLOT}`, objectGroup: OBJECT_GROUP, silent: true });
    const id = r.result.objectId;
    if (id === undefined) throw new TsparkError("CLOSURE_CAPTURE", "the V8 inspector returned no object id");
    return id;
  } finally {
    g[SLOT] = undefined;
  }
}

/** The local value a remote object stands for. */
export function localValue(ro: RemoteObject): unknown {
  if (ro.type === "undefined") return undefined;
  if (ro.unserializableValue !== undefined) {
    const u = ro.unserializableValue;
    if (ro.type === "bigint" || u.endsWith("n")) return BigInt(u.slice(0, -1));
    if (u === "-0") return -0;
    return Number(u); // NaN, Infinity, -Infinity
  }
  if (ro.objectId === undefined) return ro.value as unknown; // primitives and null
  const g = globalThis as Record<string, unknown>;
  post("Runtime.callFunctionOn", {
    objectId: ro.objectId,
    functionDeclaration: `function(){"use strict";globalThis.${SLOT}=this}`,
    objectGroup: OBJECT_GROUP,
    silent: true,
  });
  const v = g[SLOT];
  g[SLOT] = undefined;
  return v;
}

export interface OwnProperties {
  result: PropertyDescriptor[];
  internal: InternalPropertyDescriptor[];
}

export function ownProperties(objectId: string): OwnProperties {
  const r = post<inspector.Runtime.GetPropertiesReturnType>("Runtime.getProperties", { objectId, ownProperties: true, generatePreview: false });
  return { result: r.result, internal: r.internalProperties ?? [] };
}

export interface FunctionLocation {
  scriptId: string;
  url: string;
  /** 0-based, as V8 reports it: the first character of the function's source text. */
  line: number;
  col: number;
}

export interface FunctionInternals {
  location?: FunctionLocation;
  /** Object id of the [[Scopes]] list. */
  scopes?: string;
  bound?: { target: RemoteObject; thisArg: RemoteObject; args: RemoteObject };
}

export function functionInternals(fn: Function): FunctionInternals {
  enableDebugger();
  const { internal } = ownProperties(remoteId(fn));
  const out: FunctionInternals = {};
  let target: RemoteObject | undefined;
  let thisArg: RemoteObject | undefined;
  let args: RemoteObject | undefined;
  for (const p of internal) {
    const v = p.value;
    if (!v) continue;
    switch (p.name) {
      case "[[FunctionLocation]]": {
        const loc = v.value as { scriptId: string; lineNumber: number; columnNumber: number };
        out.location = { scriptId: loc.scriptId, url: scriptUrl(loc.scriptId), line: loc.lineNumber, col: loc.columnNumber };
        break;
      }
      case "[[Scopes]]":
        out.scopes = v.objectId;
        break;
      case "[[TargetFunction]]":
        target = v;
        break;
      case "[[BoundThis]]":
        thisArg = v;
        break;
      case "[[BoundArgs]]":
        args = v;
        break;
    }
  }
  if (target && thisArg && args) out.bound = { target, thisArg, args };
  return out;
}

export interface ScopeInfo {
  /** "Closure", "Block", "Script", "Module", "Local", "Catch", ... ("Global" is left out). */
  type: string;
  objectId: string;
  vars?: Map<string, RemoteObject>;
}

/** The non-global scopes of a function, innermost first; variables are fetched on demand. */
export function scopesOf(scopesId: string): ScopeInfo[] {
  const out: ScopeInfo[] = [];
  for (const s of ownProperties(scopesId).result) {
    const v = s.value;
    if (!v || v.objectId === undefined) continue;
    const type = (v.description ?? "").split(" ")[0] ?? "";
    if (type === "Global") continue;
    out.push({ type, objectId: v.objectId });
  }
  return out;
}

export function scopeVariables(scope: ScopeInfo): Map<string, RemoteObject> {
  if (!scope.vars) {
    scope.vars = new Map();
    for (const p of ownProperties(scope.objectId).result) if (p.value) scope.vars.set(p.name, p.value);
  }
  return scope.vars;
}

let depth = 0;

/** Runs `f`; remote objects it creates are released when the outermost call returns. */
export function withRemoteObjects<T>(f: () => T): T {
  depth++;
  try {
    return f();
  } finally {
    depth--;
    if (depth === 0 && session) post("Runtime.releaseObjectGroup", { objectGroup: OBJECT_GROUP });
  }
}


const lineStartsCache = new Map<string, number[]>();

function lineStarts(scriptId: string, source: string): number[] {
  let starts = lineStartsCache.get(scriptId);
  if (!starts) {
    starts = [0];
    for (let i = source.indexOf("\n"); i !== -1; i = source.indexOf("\n", i + 1)) starts.push(i + 1);
    lineStartsCache.set(scriptId, starts);
  }
  return starts;
}

/**
 * Where a function's source text starts in its script (0-based). V8 reports the position
 * of the parameter list for ordinary functions and methods, so search back for the text.
 */
export function locateSource(loc: FunctionLocation, text: string): { line: number; col: number; offset: number } {
  let source: string;
  try {
    source = scriptSource(loc.scriptId);
  } catch {
    return { line: loc.line, col: loc.col, offset: -1 };
  }
  const starts = lineStarts(loc.scriptId, source);
  const reported = (starts[loc.line] ?? 0) + loc.col;
  let offset = source.startsWith(text, reported) ? reported : source.lastIndexOf(text, reported);
  if (offset === -1 || offset + text.length <= reported) {
    offset = source.indexOf(text, reported);
    if (offset === -1) return { line: loc.line, col: loc.col, offset: -1 };
  }
  // Binary search for the line containing `offset`.
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo, col: offset - (starts[lo] ?? 0), offset };
}
