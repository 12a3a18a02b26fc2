import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { build } from "esbuild";

const ENTRY = fileURLToPath(new URL("./worker-main.js", import.meta.url));

/** The modules Node loads before `file`'s body runs: its static imports, transitively (esbuild's metafile). */
async function loadedBefore(file: string): Promise<string[]> {
  const { metafile } = await build({ entryPoints: [file], bundle: true, write: false, metafile: true, platform: "node", format: "esm", packages: "external", logLevel: "silent" });
  const cwd = process.cwd();
  const seen = new Set<string>();
  const visit = (input: string): void => {
    if (seen.has(input)) return;
    seen.add(input);
    for (const i of metafile.inputs[input]?.imports ?? []) if (i.kind === "import-statement" && !i.external) visit(i.path);
  };
  visit(path.relative(cwd, file));
  return [...seen].map((f) => path.basename(f)).sort();
}

test("a worker process starts its watchdog thread before the message loop and the engine load", async () => {
  // The thread then boots while they load; started after them, a short program's end waited
  // for it to finish booting before the worker could exit.
  assert.deepEqual(await loadedBefore(ENTRY), ["orphan-watchdog.js", "protocol.js", "worker-env.js", "worker-main.js"]);
});
