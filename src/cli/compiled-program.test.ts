import test from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { compiledProgram, plainModule } from "./compiled-program.js";

/** A package of ES modules in a fresh directory, with `files`; its cache directory beside it. */
function project(files: Record<string, string>, type = "module"): { dir: string; cache: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "tspark-compile-test-"));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type }));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return { dir, cache: join(dir, ".cache"), done: () => rmSync(dir, { recursive: true, force: true }) };
}

test("a program and its local imports are compiled once, then imported from the cache until a source changes", async () => {
  const p = project({
    "main.ts": 'import { twice } from "./helper.js";\nexport const answer: number = twice(21);\nexport const where = import.meta.url;\nexport const dir = import.meta.dirname;\n',
    "helper.ts": "export function twice(x: number): number {\n  return 2 * x;\n}\n",
  });
  try {
    const main = join(p.dir, "main.ts");
    const first = await compiledProgram(main, p.cache);
    assert.ok(first);
    assert.equal(first.cached, false);
    const m = (await import(first.url)) as { answer: number; where: string; dir: string };
    assert.equal(m.answer, 42);
    assert.equal(m.where, pathToFileURL(main).href, "import.meta.url is the original file's");
    assert.equal(m.dir, p.dir);

    const again = await compiledProgram(main, p.cache);
    assert.deepEqual(again, { url: first.url, cached: true });

    // A local import's change is seen, even of the same size and time, and compiled again.
    const helper = join(p.dir, "helper.ts");
    const { atime, mtime } = statSync(helper);
    writeFileSync(helper, "export function twice(x: number): number {\n  return 3 * x;\n}\n");
    utimesSync(helper, atime, mtime);
    const changed = await compiledProgram(main, p.cache);
    assert.equal(changed?.cached, false);
    // (This process keeps the helper it imported; a new run imports the one compiled now.)
    const helpers = readdirSync(p.cache, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith("-helper.mjs"));
    assert.equal(helpers.length, 1);
    assert.match(readFileSync(join(p.cache, helpers[0]!), "utf8"), /return 3\*x/);
  } finally {
    p.done();
  }
});

test("a helper two programs share is compiled for each: an edit compiled for one never reaches the other's cache", async () => {
  const p = project({
    "a.ts": 'import { v } from "./h.js";\nexport const seen = v;\n',
    "b.ts": 'import { v } from "./h.js";\nexport const seen = v;\n',
    "h.ts": "export const v: number = 1;\n",
  });
  try {
    const a = await compiledProgram(join(p.dir, "a.ts"), p.cache);
    writeFileSync(join(p.dir, "h.ts"), "export const v: number = 2;\n");
    assert.equal((await compiledProgram(join(p.dir, "b.ts"), p.cache))?.cached, false);
    writeFileSync(join(p.dir, "h.ts"), "export const v: number = 1;\n");
    const again = await compiledProgram(join(p.dir, "a.ts"), p.cache);
    assert.deepEqual(again, { url: a!.url, cached: true });
    assert.equal(((await import(again.url)) as { seen: number }).seen, 1);
  } finally {
    p.done();
  }
});

test("a change to the tsconfig.json esbuild reads compiles the program again", async () => {
  const p = project({ "main.ts": "export class K { x?: number }\nexport const keys = Object.keys(new K());\n", "tsconfig.json": '{ "compilerOptions": { "useDefineForClassFields": true } }' });
  try {
    const main = join(p.dir, "main.ts");
    assert.equal((await compiledProgram(main, p.cache))?.cached, false);
    assert.equal((await compiledProgram(main, p.cache))?.cached, true);
    writeFileSync(join(p.dir, "tsconfig.json"), '{ "compilerOptions": { "useDefineForClassFields": false } }');
    assert.equal((await compiledProgram(main, p.cache))?.cached, false);
  } finally {
    p.done();
  }
});

test("from TypeScript, ./x.js names x.ts even beside a compiled x.js, as under tsx", async () => {
  const p = project({ "main.ts": 'import { from } from "./x.js";\nexport const which = from;\n', "x.ts": 'export const from: string = "x.ts";\n', "x.js": 'export const from = "x.js";\n' });
  try {
    const compiled = await compiledProgram(join(p.dir, "main.ts"), p.cache);
    assert.equal(((await import(compiled!.url)) as { which: string }).which, "x.ts");
  } finally {
    p.done();
  }
});

test("a compiled program's errors are at its own .ts lines (source maps)", async () => {
  const p = project({ "fails.ts": "type T = { a: number };\nconst t: T = { a: 1 };\nexport function boom(): never {\n  throw new Error(`boom ${t.a}`);\n}\n" });
  const enabled = process.sourceMapsEnabled;
  try {
    process.setSourceMapsEnabled(true);
    const compiled = await compiledProgram(join(p.dir, "fails.ts"), p.cache);
    assert.ok(compiled);
    const { boom } = (await import(compiled.url)) as { boom: () => never };
    assert.throws(boom, (err: Error) => {
      assert.match(err.stack ?? "", /fails\.ts:4:\d+/);
      return true;
    });
  } finally {
    process.setSourceMapsEnabled(enabled);
    p.done();
  }
});

test("what the compiled form cannot keep is left to tsx", async () => {
  const cases: Record<string, [Record<string, string>, string?]> = {
    "an import() of a computed specifier": [{ "main.ts": 'const name = "./x.js";\nawait import(name);\n' }],
    "import.meta.resolve": [{ "main.ts": 'console.log(import.meta.resolve("./x.js"));\n' }],
    "a CommonJS package's .ts": [{ "main.ts": "export const x = 1;\n" }, "commonjs"],
    "an import that does not resolve": [{ "main.ts": 'import { y } from "./missing.js";\nconsole.log(y);\n' }],
    "a syntax error (tsx reports it at the user's line)": [{ "main.ts": "const x: number = ;\n" }],
    "a .tsx import": [{ "main.ts": 'import { x } from "./view.tsx";\nconsole.log(x);\n', "view.tsx": "export const x = 1;\n" }],
    "an import() of a string and a name (esbuild would bundle every file it may name)": [{ "main.ts": 'const lang = "en";\nawait import("./locales/" + lang + ".js");\n', "locales-en.js": "export default 1;\n" }],
    "the program's own JavaScript (under tsx its imports may name .ts files)": [{ "main.ts": 'import { y } from "./lib.js";\nconsole.log(y);\n', "lib.js": 'export { y } from "./helper.js";\n', "helper.ts": "export const y: number = 1;\n" }],
  };
  for (const [what, [files, type]] of Object.entries(cases)) {
    const p = project(files, type);
    try {
      assert.equal(await compiledProgram(join(p.dir, "main.ts"), p.cache), undefined, what);
    } finally {
      p.done();
    }
  }
});

test("a cache directory others may write to is not used", async () => {
  const p = project({ "main.ts": "export const x = 1;\n" });
  try {
    mkdirSync(p.cache, { mode: 0o777 });
    chmodSync(p.cache, 0o777);
    assert.equal(await compiledProgram(join(p.dir, "main.ts"), p.cache), undefined);
    chmodSync(p.cache, 0o700);
    assert.equal((await compiledProgram(join(p.dir, "main.ts"), p.cache))?.cached, false);
  } finally {
    p.done();
  }
});

test("plainModule: import.meta's url, filename and dirname and literal import()s only", () => {
  assert.equal(plainModule('const u = import.meta.url; await import("./a.js"); await import(\'b\');'), true);
  assert.equal(plainModule("const f = import.meta.filename, d = import.meta.dirname;"), true);
  assert.equal(plainModule("console.log(import.meta);"), false);
  assert.equal(plainModule("await import(`./${name}.js`);"), false);
  assert.equal(plainModule("await import(spec);"), false);
  assert.equal(plainModule('await import("./locales/" + lang);'), false);
  assert.equal(plainModule('const t: import("./types.js").T = x; await import("./a.js", { with: {} });'), true);
});
