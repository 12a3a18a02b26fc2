/**
 * Driver side: map positions in the code V8 runs (tsx's transpiled JS) back to the user's
 * TypeScript, for error messages (where a function was defined) and for worker stack traces.
 * Revived functions keep their original script URL and line:column, so a worker's frames
 * can be mapped with the driver's source map of that script.
 */
import fs from "node:fs";
import path from "node:path";
import { createRequire, findSourceMap } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { TraceMap, SourceMapInput } from "@jridgewell/trace-mapping";
import { functionInternals, locateSource, scriptIdForUrl, scriptSource, withRemoteObjects } from "./inspector.js";

export interface SourcePosition {
  /** URL (or path, for scripts known by path) of the original source. */
  url: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

const maps = new Map<string, TraceMap | null>();

// Loaded on first use: workers import this module (functionOrigin) but never map anything.
let traceMapping: typeof import("@jridgewell/trace-mapping") | undefined;
function tm(): typeof import("@jridgewell/trace-mapping") {
  traceMapping ??= createRequire(import.meta.url)("@jridgewell/trace-mapping") as typeof import("@jridgewell/trace-mapping");
  return traceMapping;
}

function toUrl(fileOrUrl: string): string {
  return path.isAbsolute(fileOrUrl) ? pathToFileURL(fileOrUrl).href : fileOrUrl;
}

function loadMap(fileOrUrl: string): TraceMap | null {
  const url = toUrl(fileOrUrl);
  const cached = maps.get(url);
  if (cached !== undefined) return cached;
  let map: TraceMap | null = null;
  try {
    const nodeMap = findSourceMap(url) ?? (url.startsWith("file:") ? findSourceMap(fileURLToPath(url)) : undefined);
    if (nodeMap) map = new (tm().TraceMap)(nodeMap.payload as unknown as SourceMapInput, url);
  } catch {
    map = null;
  }
  if (!map) map = mapFromScript(url);
  maps.set(url, map);
  return map;
}

const SOURCE_MAP_COMMENT = /\/\/[#@] sourceMappingURL=(\S+)\s*$/;

/** The source map a script declares (inline data: URL or a file next to it). */
function mapFromScript(url: string): TraceMap | null {
  try {
    const id = scriptIdForUrl(url);
    let m = id !== undefined ? SOURCE_MAP_COMMENT.exec(scriptSource(id)) : null;
    if (!m && url.startsWith("file:")) m = SOURCE_MAP_COMMENT.exec(fs.readFileSync(fileURLToPath(url), "utf8"));
    if (!m?.[1]) return null;
    const ref = m[1];
    let json: string;
    if (ref.startsWith("data:")) {
      const comma = ref.indexOf(",");
      const meta = ref.slice(0, comma);
      const data = ref.slice(comma + 1);
      json = meta.endsWith(";base64") ? Buffer.from(data, "base64").toString("utf8") : decodeURIComponent(data);
    } else {
      const mapUrl = new URL(ref, url);
      if (mapUrl.protocol !== "file:") return null;
      json = fs.readFileSync(fileURLToPath(mapUrl), "utf8");
    }
    return new (tm().TraceMap)(json, url);
  } catch {
    return null;
  }
}

/** Maps a 0-based position in a script to the original source, when a source map says. */
export function originalPosition(fileOrUrl: string, line0: number, col0: number): SourcePosition | undefined {
  const map = loadMap(fileOrUrl);
  if (!map) return undefined;
  const pos = tm().originalPositionFor(map, { line: line0 + 1, column: col0 });
  if (pos.source === null || pos.line === null || pos.column === null) return undefined;
  return { url: pos.source, line: pos.line, column: pos.column + 1 };
}

/**
 * Where a function was defined (1-based), mapped to the user's original .ts position when
 * its script has a source map; undefined for native functions.
 */
export function functionOrigin(fn: Function): SourcePosition | undefined {
  try {
    return withRemoteObjects(() => {
      const loc = functionInternals(fn).location;
      if (!loc) return undefined;
      const at = locateSource(loc, Function.prototype.toString.call(fn));
      if (loc.url) {
        const orig = originalPosition(loc.url, at.line, at.col);
        if (orig) return orig;
      }
      return { url: loc.url, line: at.line + 1, column: at.col + 1 };
    });
  } catch {
    return undefined;
  }
}

/** "wordcount.ts:12:20": a short form of a position for messages. */
export function shortPosition(p: SourcePosition): string {
  let name = p.url;
  try {
    name = path.basename(p.url.startsWith("file:") ? fileURLToPath(p.url) : p.url);
  } catch {
    // keep the URL as it is
  }
  return `${name || "<anonymous>"}:${p.line}:${p.column}`;
}

const FRAME = /^(.*?)((?:file:\/\/|\/|[A-Za-z]:\\)[^\s()]*?):(\d+):(\d+)(\)?)\s*$/;

/**
 * Rewrites stack frames `file:///...:L:C` (or `/path:L:C`) to original source positions,
 * using the source maps of scripts loaded in this (driver) process. Other lines are kept.
 */
export function mapStackToSource(stack: string): string {
  return stack
    .split("\n")
    .map((line) => {
      const m = FRAME.exec(line);
      if (!m || !/^\s*at\s/.test(line)) return line;
      const [, head = "", file = "", l = "0", c = "0", close = ""] = m;
      const pos = originalPosition(file, Number(l) - 1, Number(c) - 1);
      if (!pos) return line;
      let src = pos.url;
      if (!file.startsWith("file:") && src.startsWith("file:")) {
        try {
          src = fileURLToPath(src);
        } catch {
          // keep the URL
        }
      }
      return `${head}${src}:${pos.line}:${pos.column}${close}`;
    })
    .join("\n");
}
