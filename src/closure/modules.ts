/**
 * Driver-side module knowledge: resolving a script's import/require specifiers to absolute
 * URLs the worker can load, and recognising values that are a module's exports.
 */
import fs from "node:fs";
import path from "node:path";
import { builtinModules, createRequire, isBuiltin } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { resolve as esmResolve } from "import-meta-resolve";
import { TsparkError } from "../errors.js";

const TS_EXT_FOR: Record<string, string[]> = {
  ".js": [".ts", ".tsx"],
  ".jsx": [".tsx"],
  ".mjs": [".mts"],
  ".cjs": [".cts"],
};
const TS_EXTS = [".ts", ".tsx", ".mts", ".cts", "/index.ts", "/index.tsx"];

const esmCache = new Map<string, string>();

/**
 * Resolves an ESM import specifier as the worker must import it: node builtins as
 * `node:x`, everything else as an absolute URL. Falls back to the TypeScript conventions
 * tsx applies (`./x.js` naming `./x.ts`, extensionless relative imports).
 */
export function resolveImport(specifier: string, parentUrl: string): string {
  const key = `${parentUrl}\0${specifier}`;
  const hit = esmCache.get(key);
  if (hit !== undefined) return hit;
  const out = resolveImportUncached(specifier, parentUrl);
  esmCache.set(key, out);
  return out;
}

function resolveImportUncached(specifier: string, parentUrl: string): string {
  if (isBuiltin(specifier)) return specifier.startsWith("node:") ? specifier : `node:${specifier}`;
  // From TypeScript, `./x.js` names `./x.ts` when there is one, as tsx resolves it, even beside
  // a compiled `./x.js` (tsc without an outDir).
  if (/^\.{1,2}\//.test(specifier) && /\.[mc]?tsx?$/.test(parentUrl)) {
    const twin = firstFile(typeScriptTwins(fileURLToPath(new URL(specifier, parentUrl))));
    if (twin !== undefined) return twin;
  }
  let firstError: unknown;
  try {
    const url = esmResolve(specifier, parentUrl);
    if (!url.startsWith("file:") || fs.existsSync(fileURLToPath(url))) return url;
  } catch (e) {
    firstError = e;
  }
  if (/^\.{0,2}\//.test(specifier) || specifier.startsWith("file:")) {
    const file = fileURLToPath(new URL(specifier, parentUrl));
    const found = firstFile([...typeScriptTwins(file), ...TS_EXTS.map((alt) => file + alt)]);
    if (found !== undefined) return found;
  }
  throw new TsparkError("CLOSURE_CAPTURE", `cannot resolve the import "${specifier}" of ${displayUrl(parentUrl)}, so a worker could not import it`, { cause: firstError });
}

/** The TypeScript files a JavaScript name stands for, by tsx's convention (`x.js` for `x.ts` or `x.tsx`). */
function typeScriptTwins(file: string): string[] {
  const ext = path.extname(file);
  return (TS_EXT_FOR[ext] ?? []).map((alt) => file.slice(0, -ext.length) + alt);
}

/** The URL of the first of `candidates` that is a file. */
function firstFile(candidates: string[]): string | undefined {
  const file = candidates.find((c) => fs.existsSync(c) && fs.statSync(c).isFile());
  return file === undefined ? undefined : pathToFileURL(file).href;
}

/** Resolves a CommonJS require specifier (through the driver's require hooks, e.g. tsx's). */
export function resolveRequire(specifier: string, parentUrl: string): string {
  if (isBuiltin(specifier)) return specifier.startsWith("node:") ? specifier : `node:${specifier}`;
  const parentPath = parentUrl.startsWith("file:") ? fileURLToPath(parentUrl) : parentUrl;
  try {
    const resolved = createRequire(parentPath).resolve(specifier);
    return isBuiltin(resolved) ? `node:${resolved.replace(/^node:/, "")}` : pathToFileURL(resolved).href;
  } catch (e) {
    throw new TsparkError("CLOSURE_CAPTURE", `cannot resolve require("${specifier}") of ${displayUrl(parentUrl)}, so a worker could not load it`, { cause: e });
  }
}

export function displayUrl(url: string): string {
  if (url.startsWith("file:")) {
    try {
      return fileURLToPath(url);
    } catch {
      return url;
    }
  }
  return url;
}

// ---- recognising module exports by identity -------------------------------------------

export interface ModuleMatch {
  url: string;
  system: "esm" | "cjs";
  name?: string;
}

const requireFn = createRequire(import.meta.url);
/** The directory of the tspark package: its modules may be referenced rather than copied. */
const TSPARK_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Files whose exported functions are imported by reference in workers, not copied. */
export function isLibraryFile(url: string): boolean {
  if (url.startsWith("node:")) return true;
  if (!url.startsWith("file:")) return false;
  const p = fileURLToPath(url);
  return p.includes(`${path.sep}node_modules${path.sep}`) || (p.startsWith(TSPARK_ROOT + path.sep) && !p.startsWith(path.join(TSPARK_ROOT, "test") + path.sep));
}

let builtinMap: Map<unknown, ModuleMatch> | undefined;
let builtinLoadCount = -1;

/** Node's list of internal modules loaded so far ("NativeModule fs", ...). */
function moduleLoadList(): readonly string[] {
  const list = (process as unknown as { moduleLoadList?: unknown }).moduleLoadList;
  return Array.isArray(list) ? (list as string[]) : [];
}

function loadedBuiltins(): string[] {
  const names = new Set(builtinModules);
  const out: string[] = [];
  for (const entry of moduleLoadList()) {
    const m = /^NativeModule (.+)$/.exec(entry);
    if (m?.[1] !== undefined && names.has(m[1]) && !m[1].startsWith("_")) out.push(m[1]);
  }
  return out.sort();
}

/** Exports of node builtins already loaded (and their functions), e.g. require("fs"), crypto.createHash. */
export function builtinMatch(value: object): ModuleMatch | undefined {
  return builtinMap?.get(value);
}

function refreshBuiltins(): void {
  if (builtinMap && moduleLoadList().length === builtinLoadCount) return;
  builtinLoadCount = moduleLoadList().length;
  builtinMap = new Map();
  const get = (process as unknown as { getBuiltinModule?: (n: string) => unknown }).getBuiltinModule;
  for (const name of loadedBuiltins()) {
    let exp: unknown;
    try {
      exp = get ? get(name) : requireFn(name);
    } catch {
      continue;
    }
    if ((typeof exp !== "object" && typeof exp !== "function") || exp === null) continue;
    const url = `node:${name}`;
    if (!builtinMap.has(exp)) builtinMap.set(exp, { url, system: "cjs" });
    for (const [k, d] of Object.entries(Object.getOwnPropertyDescriptors(exp))) {
      const v: unknown = d.value;
      if (typeof v === "function" && !builtinMap.has(v)) builtinMap.set(v, { url, system: "cjs", name: k });
    }
  }
}

/** User entry points (the program `tspark app.ts` runs): never imported by reference in workers. */
const entryModules = new Set<string>();

/**
 * Declares a user program's entry file (path or URL). A launcher that loads the program
 * itself (so it is not process.argv[1]) calls this, so that no worker ever imports it.
 */
export function registerEntryModule(fileOrUrl: string): void {
  entryModules.add(fileOrUrl.startsWith("file:") ? fileOrUrl : pathToFileURL(path.resolve(fileOrUrl)).href);
  cjsMap = undefined;
}

let cjsMap: Map<unknown, ModuleMatch> | undefined;
let cjsCount = -1;

/** CommonJS modules in require.cache: their exports objects, and library modules' exported functions. */
export function requireCacheMatch(value: object): ModuleMatch | undefined {
  return cjsMap?.get(value);
}

function refreshRequireCache(): void {
  const cache = requireFn.cache;
  const keys = Object.keys(cache);
  if (cjsMap && keys.length === cjsCount) return;
  cjsCount = keys.length;
  cjsMap = new Map();
  const mainFile = process.argv[1] ? path.resolve(process.argv[1]) : "";
  for (const file of keys.sort()) {
    const mod = cache[file];
    // The main program is never imported by a worker (it would run the whole job again).
    if (!mod || !mod.loaded || file === mainFile || mod === requireFn.main || entryModules.has(pathToFileURL(file).href)) continue;
    const exp: unknown = mod.exports;
    if ((typeof exp !== "object" && typeof exp !== "function") || exp === null) continue;
    const url = pathToFileURL(file).href;
    if (!cjsMap.has(exp)) cjsMap.set(exp, { url, system: "cjs" });
    if (!isLibraryFile(url)) continue;
    for (const [k, d] of Object.entries(Object.getOwnPropertyDescriptors(exp))) {
      const v: unknown = d.value;
      if (typeof v === "function" && !cjsMap.has(v)) cjsMap.set(v, { url, system: "cjs", name: k });
    }
  }
}

/** Brings the identity tables up to date with the modules loaded so far (once per capture). */
export function refreshModuleTables(): void {
  refreshBuiltins();
  refreshRequireCache();
}

/** What `require(specifier)` from `parentUrl` returns on the driver (to verify a guess). */
export function requireFrom(parentUrl: string, resolvedUrl: string): unknown {
  const parent = parentUrl.startsWith("file:") ? fileURLToPath(parentUrl) : path.join(process.cwd(), "x.js");
  const target = resolvedUrl.startsWith("file:") ? fileURLToPath(resolvedUrl) : resolvedUrl;
  return createRequire(parent)(target);
}
