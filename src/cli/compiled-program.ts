/**
 * A TypeScript program compiled once into plain ES modules and kept, so that the next run
 * imports JavaScript with Node's own loader. tsx's loader runs on a thread of its own that
 * `module.register` waits for, and every import then takes a round trip to it: most of a
 * small program's start. esbuild compiles each of the program's own .ts files (its local
 * imports too) with tsx's options, into one .mjs file each in a cache directory; imports are
 * rewritten to the absolute paths Node resolves them to from the original file, and
 * `import.meta.url` (filename, dirname) is the original file's. The next run checks each
 * source's text against the hash the cache recorded and imports the compiled entry.
 *
 * What the compiled form cannot reproduce is left to tsx (the caller's fallback): CommonJS
 * files, .tsx, an `import()` of a computed specifier, other uses of `import.meta`, an import
 * that does not resolve, paths a URL would misread, and a program that does not compile
 * (tsx's message is the one `run-program.ts` turns into the user's line).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, extname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Plugin } from "esbuild";
import { VERSION } from "../version.js";

const TYPESCRIPT = new Set([".ts", ".mts", ".cts", ".tsx"]);

/** What one compile of a program's files recorded: enough to trust the cache without compiling. */
interface CacheRecord {
  /** Each source compiled: its path and the hash of its text (not its time: a copy may keep an older file's). */
  sources: Array<[string, string]>;
  /** Every compiled file and every file imported in place: all must still exist. */
  files: string[];
}

/** Where compiled programs are kept (one directory per user, as tsx's own cache). */
export function compileCacheDir(): string {
  const uid = typeof process.getuid === "function" ? process.getuid() : "user";
  return join(tmpdir(), `tspark-compiled-${uid}`);
}

/** The compiled file of `source`: named by its path (and tspark's version), the source's name kept for stack traces. */
function compiledPath(dir: string, source: string): string {
  const key = createHash("sha1").update(`${VERSION}\0${process.version}\0${source}`).digest("hex").slice(0, 16);
  return join(dir, `${key}-${basename(source, extname(source))}.mjs`);
}

function recordPath(dir: string, entry: string): string {
  return compiledPath(dir, entry).replace(/\.mjs$/, ".json");
}

/**
 * The file: URL of `entry` (an absolute path) compiled, from the cache when every source is
 * unchanged; undefined when the program is to be loaded by tsx.
 */
export async function compiledProgram(entry: string, dir = compileCacheDir()): Promise<{ url: string; cached: boolean } | undefined> {
  if (!compilable(entry)) return undefined;
  const cached = fromCache(dir, entry);
  if (cached) return { url: pathToFileURL(cached).href, cached: true };
  const compiled = await compileProgram(dir, entry);
  return compiled === undefined ? undefined : { url: pathToFileURL(compiled).href, cached: false };
}

/** The compiled entry, if the record says every source is as it was compiled. */
function fromCache(dir: string, entry: string): string | undefined {
  let record: CacheRecord;
  try {
    record = JSON.parse(readFileSync(recordPath(dir, entry), "utf8")) as CacheRecord;
  } catch {
    return undefined;
  }
  for (const [path, hash] of record.sources) {
    try {
      if (textHash(readFileSync(path, "utf8")) !== hash) return undefined;
    } catch {
      return undefined;
    }
  }
  if (!record.files.every((f) => existsSync(f))) return undefined;
  return compiledPath(dir, entry);
}

/** Why a program goes to tsx instead. */
class NotCompilable extends Error {}

async function compileProgram(dir: string, entry: string): Promise<string | undefined> {
  const [{ build }, { isLibraryFile, resolveImport }] = await Promise.all([import("esbuild"), import("../closure/modules.js")]);
  const sources: CacheRecord["sources"] = [];
  const files: string[] = [];
  const outputs: Array<[string, string]> = [];
  const queued = new Set<string>([entry]);
  const queue = [entry];

  /** Every import of a compiled file, resolved as Node resolves it from the original file. */
  const rewriteImports: Plugin = {
    name: "tspark-resolved-imports",
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind === "entry-point") return undefined;
        if (args.kind !== "import-statement" && args.kind !== "dynamic-import") throw new NotCompilable(`${args.kind} of ${args.path}`);
        let url: string;
        try {
          url = resolveImport(args.path, pathToFileURL(args.importer).href);
        } catch {
          throw new NotCompilable(`unresolved import ${args.path}`);
        }
        if (url.startsWith("node:")) return { path: url, external: true };
        if (!url.startsWith("file:")) throw new NotCompilable(`import of ${url}`);
        const path = fileURLToPath(url);
        if (!safePath(path)) throw new NotCompilable(`path ${path}`);
        const ext = extname(path);
        if (TYPESCRIPT.has(ext)) {
          // A package's TypeScript is left to tsx, which compiles it by that package's rules.
          if (path.includes("/node_modules/") || !compilable(path)) throw new NotCompilable(`import of ${path}`);
          if (!queued.has(path)) {
            queued.add(path);
            queue.push(path);
          }
          return { path: compiledPath(dir, path), external: true };
        }
        if (!isLibraryFile(url) && ext !== ".js" && ext !== ".mjs" && ext !== ".cjs") throw new NotCompilable(`import of ${path}`);
        files.push(path);
        return { path, external: true };
      });
    },
  };

  try {
    for (let source = queue.shift(); source !== undefined; source = queue.shift()) {
      const text = readFileSync(source, "utf8");
      if (!plainModule(text)) return undefined;
      const out = compiledPath(dir, source);
      const url = pathToFileURL(source).href;
      const result = await build({
        entryPoints: [source],
        outfile: out,
        bundle: true,
        write: false,
        format: "esm",
        platform: "node",
        // As tsx compiles (its transform options), so shipped functions read the same.
        target: `node${process.versions.node}`,
        minifyWhitespace: true,
        keepNames: true,
        treeShaking: false,
        sourcemap: "inline",
        sourcesContent: false,
        define: {
          "import.meta.url": JSON.stringify(url),
          "import.meta.filename": JSON.stringify(source),
          "import.meta.dirname": JSON.stringify(dirname(source)),
        },
        logLevel: "silent",
        plugins: [rewriteImports],
      });
      const js = result.outputFiles.find((f) => f.path.endsWith(".mjs"));
      if (!js) return undefined;
      outputs.push([out, js.text]);
      sources.push([source, textHash(text)]);
      files.push(out);
    }
  } catch {
    // NotCompilable, or esbuild's compile errors: tsx loads the program and reports them.
    return undefined;
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const [path, text] of outputs) writeAtomically(path, text);
  writeAtomically(recordPath(dir, entry), JSON.stringify({ sources, files } satisfies CacheRecord));
  return compiledPath(dir, entry);
}

function textHash(text: string): string {
  return createHash("sha1").update(text).digest("hex");
}

/** Another run may be reading the file: it sees the old one or the new one whole. */
function writeAtomically(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** A path that stays itself as an import specifier (no character a URL reads otherwise). */
function safePath(path: string): boolean {
  return path.startsWith("/") && !/[%#?\\]/.test(path);
}

/**
 * Whether `text` uses only what the compiled form keeps: `import.meta` for its url, filename
 * and dirname, and `import()` of string literals (a computed one would resolve from the cache).
 */
export function plainModule(text: string): boolean {
  if (/\bimport\s*\.\s*meta\b(?!\s*\.\s*(?:url|filename|dirname)\b)/.test(text)) return false;
  return !/\bimport\s*\(\s*(?!["'])/.test(text);
}

const packageTypes = new Map<string, string | undefined>();

/** The "type" of the package.json nearest to `dir`. */
function packageType(dir: string): string | undefined {
  if (packageTypes.has(dir)) return packageTypes.get(dir);
  let type: string | undefined;
  const file = join(dir, "package.json");
  if (existsSync(file)) {
    try {
      type = (JSON.parse(readFileSync(file, "utf8")) as { type?: string }).type ?? "commonjs";
    } catch {
      type = undefined;
    }
  } else {
    const parent = dirname(dir);
    type = parent === dir ? undefined : packageType(parent);
  }
  packageTypes.set(dir, type);
  return type;
}

/** An ES module in TypeScript: a .mts file, or a .ts file whose package says "type": "module". */
function compilable(path: string): boolean {
  if (!safePath(path)) return false;
  const ext = extname(path);
  return ext === ".mts" || (ext === ".ts" && packageType(dirname(path)) === "module");
}
