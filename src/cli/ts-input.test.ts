import test from "node:test";
import assert from "node:assert/strict";
import { transpileInput } from "./ts-input.js";

test("TypeScript input becomes JavaScript; type-only input becomes nothing", () => {
  assert.deepEqual(transpileInput("const k: number = 10"), { kind: "ok", code: "const k = 10;\n" });
  assert.deepEqual(transpileInput("interface P { a: number }"), { kind: "ok", code: "" });
  assert.deepEqual(transpileInput("const n = await f() as number"), { kind: "ok", code: "const n = await f();\n" });
});

test("a leading brace is an object literal, as in node's REPL; a block stays a block", () => {
  assert.deepEqual(transpileInput("{ a: 1 }"), { kind: "ok", code: "({ a: 1 });\n" });
  assert.deepEqual(transpileInput("{ let x = 1; }"), { kind: "ok", code: "{\n  let x = 1;\n}\n" });
});

test("input that more lines can complete asks for them; a real error is reported with its position", () => {
  for (const open of ["function f() {", "const xs = [1,", "x +", "const t = `a"]) assert.deepEqual(transpileInput(open), { kind: "incomplete" }, open);
  assert.deepEqual(transpileInput("1 +* 2"), { kind: "error", message: 'Unexpected "*" (1:4)' });
});

test("static imports become dynamic ones, even when the input does not use what it imports", () => {
  const js = (ts: string) => (transpileInput(ts) as { code: string }).code;
  assert.equal(js('import { readFileSync, join as j } from "node:fs"'), 'var { readFileSync, join: j } = await import("node:fs");\n');
  assert.equal(js('import fs, { statSync } from "node:fs"'), 'var { default: fs, statSync } = await import("node:fs");\n');
  assert.equal(js('import * as path from "node:path"'), 'var path = await import("node:path");\n');
  assert.equal(js('import "./setup.ts"; const a: number = 1'), 'await import("./setup.ts");\nconst a = 1;\n');
  assert.equal(js('import type { RDD } from "tspark"'), "", "a type-only import is gone");
  assert.equal(js('const s = "import x from y"'), 'const s = "import x from y";\n');
});
