/**
 * The user's modules that shipped functions import, made fit to travel to executors that do
 * not share the driver's filesystem: each module is bundled with what it imports (its own
 * modules and npm packages) into one file named by its content's hash, which Spark's addFile
 * ships; workers import the bundle in place of the module (closure/revive.ts relocations).
 * tspark's own modules and dependencies are not bundled: every executor has tspark installed
 * at the driver's path, and a bundle's `import "tspark"` refers to that installation.
 */
import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build, type Plugin } from "esbuild";
import { writeWholeFile, LOCAL_FILE } from "../../util/fs-errors.js";
import { log } from "../../util/log.js";

/** This installation of tspark (its package root). */
const TSPARK_ROOT = new URL("../../../", import.meta.url);
const TSPARK_OWN = [new URL("dist/", TSPARK_ROOT).href, new URL("node_modules/", TSPARK_ROOT).href];
const TSPARK_ENTRY = fileURLToPath(new URL("dist/index.js", TSPARK_ROOT));

/** Whether executors have `url` already: a module of tspark's installation. */
export function isTsparkModule(url: string): boolean {
  return TSPARK_OWN.some((own) => url.startsWith(own));
}

/** `import "tspark"` (or a path into tspark) in a bundle: the executors' tspark, at the driver's path. */
const tsparkExternal: Plugin = {
  name: "tspark-external",
  setup(build) {
    build.onResolve({ filter: /^tspark$/ }, () => ({ path: TSPARK_ENTRY, external: true }));
    // A compiled program's imports are absolute paths (cli/compiled-program.ts), tspark's among them.
    build.onResolve({ filter: /^\// }, (args) => (isTsparkModule(pathToFileURL(args.path).href) ? { path: args.path, external: true } : undefined));
  },
};

export class ModuleBundles {
  /** Bundle file name by module URL (undefined: the module stays where it is). */
  private readonly bundles = new Map<string, Promise<string | undefined>>();

  /** `dir`: where bundles are written (the driver's scratch directory). */
  constructor(private readonly dir: string) {}

  /** The bundle of the module at `url` (made on first need): its file and its name; undefined when it cannot be bundled. */
  async bundle(url: string, system: "esm" | "cjs"): Promise<{ path: string; name: string } | undefined> {
    let made = this.bundles.get(url);
    if (!made) this.bundles.set(url, (made = this.make(url, system)));
    const name = await made;
    return name === undefined ? undefined : { path: join(this.dir, name), name };
  }

  private async make(url: string, system: "esm" | "cjs"): Promise<string | undefined> {
    let code: Uint8Array;
    try {
      const result = await build({
        entryPoints: [fileURLToPath(url)],
        bundle: true,
        write: false,
        platform: "node",
        format: system,
        target: "node20",
        plugins: [tsparkExternal],
        logLevel: "silent",
        // An ES module bundle that requires CommonJS packages needs a require of its own.
        banner: system === "esm" ? { js: `import { createRequire as __tsparkCreateRequire } from "node:module"; const require = __tsparkCreateRequire(${JSON.stringify(url)});` } : undefined,
      });
      code = result.outputFiles[0]!.contents;
    } catch (err) {
      // A native addon, say: left at its path (executors then need the same file there).
      const why = (err as { errors?: Array<{ text: string }> }).errors?.map((e) => e.text).join("; ") ?? (err as Error).message;
      log("WARN", "spark", `${fileURLToPath(url)} cannot be bundled for the executors (${why}); they will import it from the same path`);
      return undefined;
    }
    const name = `tspark-module-${createHash("sha1").update(code).digest("hex")}.${system === "esm" ? "mjs" : "cjs"}`;
    mkdirSync(this.dir, { recursive: true });
    writeWholeFile(join(this.dir, name), code, LOCAL_FILE);
    return name;
  }
}
