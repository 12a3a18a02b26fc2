/**
 * Input paths as users write them (PySpark/Hadoop style): a file, a directory (its files,
 * not recursive, skipping names that start with "_" or "." such as _SUCCESS), a glob, or a
 * comma-separated list of these. Driver side: planning touches metadata only, never data.
 *
 * Globs use tinyglobby (small, maintained, no native code; already a dependency).
 */
import { statSync, readdirSync, type Stats } from "node:fs";
import { resolve, join, sep } from "node:path";
import { createRequire } from "node:module";

/**
 * tinyglobby, loaded at the first path that does not exist as written: with fdir and
 * picomatch its import took 40-70 ms, which every worker and driver paid at start-up.
 */
let tinyglobby: typeof import("tinyglobby") | undefined;
const glob = () => (tinyglobby ??= createRequire(import.meta.url)("tinyglobby") as typeof import("tinyglobby"));
import { TsparkError } from "../errors.js";

/** Hadoop's hiddenFileFilter: job markers (_SUCCESS, _temporary) and dot files are not data. */
export function isHiddenName(name: string): boolean {
  return name.startsWith("_") || name.startsWith(".");
}

/** Whether a path is read through gzip (by name, as Hadoop picks codecs by extension). */
export function isGzip(path: string): boolean {
  return path.endsWith(".gz");
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path); // follows symlinks: a link to a file is a file
  } catch {
    return undefined; // missing, or a dangling link
  }
}

/** A directory's data files, sorted; subdirectories are skipped (Hadoop without recursion). */
function filesOfDirectory(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EACCES" || code === "EPERM") throw new TsparkError("INPUT_UNREADABLE", `Input directory is not readable: ${dir} (permission denied)`, { cause: err });
    throw err;
  }
  return names
    .filter((name) => !isHiddenName(name))
    .map((name) => join(dir, name))
    .filter((p) => statOrUndefined(p)?.isFile() === true)
    .sort();
}

/** Whether a path is a URL (`hdfs://...`, `file:/...`, `s3a://...`) rather than a local path. */
export function hasUrlScheme(path: string): boolean {
  return /^[a-zA-Z][a-zA-Z0-9+.-]+:/.test(path);
}

/** Strips a `file:` scheme (textually: `?` and `#` are glob characters here, not URL parts). */
function localPath(item: string): string {
  if (item.startsWith("file://localhost/")) return item.slice("file://localhost".length);
  if (item.startsWith("file:///")) return item.slice("file://".length);
  if (item.startsWith("file:")) return item.slice("file:".length);
  return item;
}

/**
 * Splits a comma-separated spec, except at commas inside `{...}`, which belong to a glob's
 * alternatives (Hadoop's FileInputFormat.getPathStrings does the same).
 */
export function splitPathList(spec: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < spec.length; i++) {
    const c = spec[i];
    if (c === "{") depth++;
    else if (c === "}" && depth > 0) depth--;
    else if (c === "," && depth === 0) {
      items.push(spec.slice(from, i));
      from = i + 1;
    }
  }
  items.push(spec.slice(from));
  return items.map((s) => s.trim()).filter((s) => s.length > 0);
}

/**
 * Expands an absolute glob. The walk starts at the pattern's literal prefix (passed as cwd)
 * rather than at process.cwd(): tinyglobby drops matches inside cwd when a pattern leaves
 * cwd (tinyglobby issue #128), and starting low also avoids walking unrelated trees.
 */
function expandGlob(pattern: string): string[] {
  const parts = pattern.split("/");
  let i = 0;
  // A brace may hold "/" ("{a/x,b/y}"), so a segment with half a brace pair starts the pattern too.
  while (i < parts.length - 1 && !glob().isDynamicPattern(parts[i]!) && !/[{}]/.test(parts[i]!)) i++;
  const base = parts.slice(0, i).join("/") || "/";
  const rest = parts.slice(i).join("/");
  if (statOrUndefined(base)?.isDirectory() !== true) return [];
  const matches = glob().globSync(rest, {
    cwd: base,
    absolute: true,
    onlyFiles: false, // a matched directory stands for its files, as in Hadoop
    expandDirectories: false,
    dot: false,
    followSymbolicLinks: true,
  });
  // A wildcard does not match a hidden name at any level (so "out/*/*" skips _temporary/),
  // unless the pattern itself has a segment starting with "_" (or "."): then it is meant.
  const segments = rest.split("/");
  const meant = (c: string) => segments.some((seg) => seg.startsWith(c[0]!));
  const prefix = base.endsWith("/") ? base : `${base}/`;
  const files: string[] = [];
  for (const m of matches) {
    const p = m.endsWith("/") && m.length > 1 ? m.slice(0, -1) : m;
    if (p.slice(prefix.length).split("/").some((c) => isHiddenName(c) && !meant(c))) continue;
    const st = statOrUndefined(p);
    if (st?.isDirectory()) files.push(...filesOfDirectory(p));
    else if (st?.isFile()) files.push(p);
  }
  return files.sort();
}

/**
 * The absolute local path `item` names: a path, or a `file:` URL (any case) of this machine;
 * undefined for another filesystem's URL (`s3://`, `hdfs://`). A `file:` URL of another host
 * is refused.
 */
export function localPathOf(item: string): string | undefined {
  if (!hasUrlScheme(item)) return resolve(item);
  if (!/^file:/i.test(item)) return undefined;
  let url = `file:${item.slice("file:".length)}`;
  const host = /^file:\/\/([^/]*)\//.exec(url)?.[1];
  if (host && host.toLowerCase() !== "localhost") throw new TsparkError("INVALID_ARGUMENT", `${item} names a file of another host (${host}): tspark's engine reads and writes this machine's files`);
  if (host) url = `file://${url.slice(`file://${host}`.length)}`;
  return resolve(localPath(url));
}

/** The local path of an input or output path of tspark's engine; another filesystem's URL is refused (Spark reads and writes those). */
export function enginePath(item: string): string {
  const path = localPathOf(item);
  if (path !== undefined) return path;
  const scheme = item.slice(0, item.indexOf(":")).toLowerCase();
  throw new TsparkError(
    "INVALID_ARGUMENT",
    `unsupported filesystem scheme: ${scheme} (${item}): tspark's engine reads and writes local paths and file: URLs; ` +
      "run on Spark (--master spark://... or local-cluster[...]) for Hadoop filesystems (hdfs://, s3a:// with its jars)",
  );
}

/**
 * Absolute paths of the files `spec` names, each item's group sorted, duplicates dropped
 * (first occurrence kept). Items that match nothing are reported together in one
 * INPUT_NOT_FOUND error. An existing directory with no data files contributes nothing.
 * An item that exists literally is taken literally even if it contains glob characters
 * (a file named "a[1].txt"); a file named explicitly is read even if its name is hidden.
 */
export function resolveInputPaths(spec: string): string[] {
  const items = splitPathList(spec);
  if (items.length === 0) throw new TsparkError("INVALID_ARGUMENT", `no input path given (got ${JSON.stringify(spec)})`);
  const out: string[] = [];
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const raw of items) {
    const abs = enginePath(raw);
    const st = statOrUndefined(abs);
    let files: string[];
    if (st) {
      files = st.isDirectory() ? filesOfDirectory(abs) : [abs];
    } else if (glob().isDynamicPattern(abs)) {
      files = expandGlob(abs.split(sep).join("/"));
      if (files.length === 0) {
        problems.push(`Input Pattern ${raw} matches 0 files`);
        continue;
      }
    } else {
      problems.push(`Input path does not exist: ${raw}${abs === raw ? "" : ` (${abs})`}`);
      continue;
    }
    for (const f of files) {
      if (!seen.has(f)) {
        seen.add(f);
        out.push(f);
      }
    }
  }
  if (problems.length > 0) throw new TsparkError("INPUT_NOT_FOUND", problems.join("; "));
  return out;
}
