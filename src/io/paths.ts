/**
 * Input paths as users write them (PySpark/Hadoop style): a file, a directory (its files,
 * not recursive, skipping names that start with "_" or "."), a glob, or a comma-separated
 * list of these. Globs use tinyglobby (a small, well-kept matcher).
 */
import { statSync, readdirSync } from "node:fs";
import { resolve, join } from "node:path";
import { globSync, isDynamicPattern } from "tinyglobby";
import { TsparkError } from "../errors.js";

function isHidden(name: string): boolean {
  return name.startsWith("_") || name.startsWith(".");
}

function filesOfDirectory(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => !isHidden(e.name) && (e.isFile() || (e.isSymbolicLink() && statSync(join(dir, e.name)).isFile())))
    .map((e) => join(dir, e.name))
    .sort();
}

/** Strips a `file:` scheme so users may pass URLs as PySpark users do. */
function localPath(item: string): string {
  if (item.startsWith("file://")) return new URL(item).pathname;
  if (item.startsWith("file:")) return item.slice("file:".length);
  return item;
}

/** Absolute paths of the files `spec` names; an item matching nothing is an error naming it. */
export function resolveInputPaths(spec: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const raw of spec.split(",").map((s) => s.trim()).filter((s) => s.length > 0)) {
    const item = localPath(raw);
    let files: string[];
    if (isDynamicPattern(item)) {
      files = globSync(item, { absolute: true, onlyFiles: false, dot: false, expandDirectories: false })
        .flatMap((p) => (statSync(p).isDirectory() ? filesOfDirectory(p) : [p]))
        .sort();
      if (files.length === 0) throw new TsparkError("INPUT_NOT_FOUND", `Input pattern ${raw} matches 0 files`);
    } else {
      const abs = resolve(item);
      let st;
      try {
        st = statSync(abs);
      } catch {
        throw new TsparkError("INPUT_NOT_FOUND", `Input path does not exist: ${raw}`);
      }
      files = st.isDirectory() ? filesOfDirectory(abs) : [abs];
    }
    for (const f of files) {
      if (!seen.has(f)) {
        seen.add(f);
        out.push(f);
      }
    }
  }
  if (out.length === 0 && spec.trim().length === 0) throw new TsparkError("INPUT_NOT_FOUND", "no input path given");
  return out;
}

export function isGzip(path: string): boolean {
  return path.endsWith(".gz");
}
