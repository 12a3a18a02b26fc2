/**
 * A TypeScript program compiled once into plain ES modules and kept, so that the next run
 * imports JavaScript with Node's own loader. tsx's loader runs on a thread of its own that
 * `module.register` waits for, and every import then takes a round trip to it: most of a
 * small program's start. esbuild compiles each of the program's own .ts files (its local
 * imports too) with tsx's options, into one .mjs file each in a cache directory; imports are
 * rewritten to the absolute paths Node resolves them to from the original file, and
 * `import.meta.url` (filename, dirname) is the original file's. The next run checks the text
 * of each source and of the tsconfig.json esbuild read, and esbuild's version, against the
 * program's record, and imports the compiled entry.
 *
 * What the compiled form cannot reproduce is left to tsx (the caller's fallback): CommonJS
 * files, .tsx, the program's own .js files, an `import()` of anything but one string literal,
 * other uses of `import.meta`, an import that does not resolve, paths a URL would misread, a
 * cache directory not the user's alone, and a program that does not compile (tsx's message is
 * the one `run-program.ts` turns into the user's line). Known differences: esbuild's bundle
 * mode makes top-level `const`, `let` and `class` bindings `var`s (a circular import reads
 * undefined where tsx's would throw), and an import's resolution is not checked again while
 * the file it resolved to exists (a package's new `exports` take effect once a source changes).
 */
import { createHash } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
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
  /** The esbuild that compiled them. */
  esbuild: string | undefined;
}

/** Where compiled programs are kept (one directory per user, as tsx's own cache). */
export function compileCacheDir(): string {
  const uid = typeof process.getuid === "function" ? process.getuid() : "user";
  return join(tmpdir(), `tspark-compiled-${uid}`);
}

/**
 * Where one program's compiled files are kept: a directory of its own (named by its path,
 * tspark's and Node's versions), so that a helper two programs share is compiled into each,
 * and one program's compile never changes a file another program's record vouches for.
 */
function programDir(dir: string, entry: string): string {
  return join(dir, sha1(`${VERSION}\0${process.version}\0${entry}`).slice(0, 16));
}

/** The compiled file of `source` in its program's directory, the source's name kept for stack traces. */
function compiledPath(programDir: string, source: string): string {
  return join(programDir, `${sha1(source).slice(0, 12)}-${basename(source, extname(source))}.mjs`);
}

function recordPath(programDir: string): string {
  return join(programDir, "record.json");
}

/**
 * The file: URL of `entry` (an absolute path) compiled, from the cache when every source is
 * unchanged; undefined when the program is to be loaded by tsx.
 */
export async function compiledProgram(entry: string, dir = compileCacheDir()): Promise<{ url: string; cached: boolean } | undefined> {
  if (!compilable(entry)) return undefined;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch {
    return undefined;
  }
  if (!ownDirectory(dir)) return undefined;
  const program = programDir(dir, entry);
  const cached = fromCache(program, entry);
  if (cached) return { url: pathToFileURL(cached).href, cached: true };
  const compiled = await compileProgram(program, entry);
  return compiled === undefined ? undefined : { url: pathToFileURL(compiled).href, cached: false };
}

/**
 * Whether the cache directory is this user's alone: its files are run as the program, so a
 * directory someone else made (its name is predictable, in a shared /tmp) or may write to is
 * not used.
 */
function ownDirectory(dir: string): boolean {
  try {
    const st = lstatSync(dir);
    const uid = typeof process.getuid === "function" ? process.getuid() : st.uid;
    return st.isDirectory() && st.uid === uid && (st.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

/** The compiled entry, if the record says every source (and setting) is as it was compiled. */
function fromCache(program: string, entry: string): string | undefined {
  let record: CacheRecord;
  try {
    record = JSON.parse(readFileSync(recordPath(program), "utf8")) as CacheRecord;
  } catch {
    return undefined;
  }
  if (record.esbuild !== esbuildVersion()) return undefined;
  for (const [path, hash] of record.sources) {
    try {
      if (sha1(readFileSync(path, "utf8")) !== hash) return undefined;
    } catch {
      return undefined;
    }
  }
  if (!record.files.every((f) => existsSync(f))) return undefined;
  return compiledPath(program, entry);
}

/** The installed esbuild's version (read from its package.json: importing esbuild costs more). */
function esbuildVersion(): string | undefined {
  try {
    return (JSON.parse(readFileSync(createRequire(import.meta.url).resolve("esbuild/package.json"), "utf8")) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

/** The nearest file `name` in `dir` or above it (esbuild reads the tsconfig.json nearest a source; Node the package.json). */
function nearestFile(dir: string, name: string): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    const file = join(d, name);
    if (existsSync(file)) return file;
    if (dirname(d) === d) return undefined;
  }
}

/** Why a program goes to tsx instead. */
class NotCompilable extends Error {}

async function compileProgram(program: string, entry: string): Promise<string | undefined> {
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
          return { path: compiledPath(program, path), external: true };
        }
        // The program's own JavaScript is left to tsx too: under tsx its imports may name .ts files.
        if (!isLibraryFile(url)) throw new NotCompilable(`import of ${path}`);
        files.push(path);
        return { path, external: true };
      });
    },
  };

  try {
    for (let source = queue.shift(); source !== undefined; source = queue.shift()) {
      const text = readFileSync(source, "utf8");
      if (!plainModule(text)) return undefined;
      const out = compiledPath(program, source);
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
        metafile: true,
      });
      // One input: nothing was bundled in (an import() of "./dir/" + name would take every
      // file it may name into this one, unhashed).
      if (Object.keys(result.metafile.inputs).length !== 1) return undefined;
      const js = result.outputFiles.find((f) => f.path.endsWith(".mjs"));
      if (!js) return undefined;
      outputs.push([out, js.text]);
      sources.push([source, sha1(text)]);
      const tsconfig = nearestFile(dirname(source), "tsconfig.json");
      if (tsconfig !== undefined && !sources.some(([p]) => p === tsconfig)) sources.push([tsconfig, sha1(readFileSync(tsconfig, "utf8"))]);
      files.push(out);
    }
  } catch {
    // NotCompilable, or esbuild's compile errors: tsx loads the program and reports them.
    return undefined;
  }
  try {
    mkdirSync(program, { recursive: true, mode: 0o700 });
    for (const [path, text] of outputs) writeAtomically(path, text);
    writeAtomically(recordPath(program), JSON.stringify({ sources, files, esbuild: esbuildVersion() } satisfies CacheRecord));
  } catch {
    return undefined; // a full disk, a read-only /tmp: tsx runs the program all the same
  }
  return compiledPath(program, entry);
}

function sha1(text: string): string {
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
  // Every import( must be followed by one whole string literal, then "," (options) or ")".
  const calls = text.match(/\bimport\s*\(/g)?.length ?? 0;
  const literal = text.match(/\bimport\s*\(\s*(["'])[^"'\n]*\1\s*[,)]/g)?.length ?? 0;
  return calls === literal;
}

/** The "type" of the package.json nearest to `dir` ("commonjs" when it names none). */
function packageType(dir: string): string | undefined {
  const file = nearestFile(dir, "package.json");
  if (file === undefined) return undefined;
  try {
    return (JSON.parse(readFileSync(file, "utf8")) as { type?: string }).type ?? "commonjs";
  } catch {
    return undefined;
  }
}

/** An ES module in TypeScript: a .mts file, or a .ts file whose package says "type": "module". */
function compilable(path: string): boolean {
  if (!safePath(path)) return false;
  const ext = extname(path);
  return ext === ".mts" || (ext === ".ts" && packageType(dirname(path)) === "module");
}
