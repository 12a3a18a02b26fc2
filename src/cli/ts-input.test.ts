import test from "node:test";
import assert from "node:assert/strict";
import { transpileInput, asReplCode } from "./ts-input.js";

test("TypeScript input becomes JavaScript; type-only input becomes nothing", () => {
  assert.deepEqual(transpileInput("const k: number = 10"), { kind: "ok", code: "var k = 10;\n" });
  assert.deepEqual(transpileInput("interface P { a: number }"), { kind: "ok", code: "" });
  assert.deepEqual(transpileInput("const n = await f() as number"), { kind: "ok", code: "var n = await f();\n" });
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
  assert.equal(js('import "./setup.ts"; const a: number = 1'), 'await import("./setup.ts");\nvar a = 1;\n');
  assert.equal(js('import type { RDD } from "tspark"'), "", "a type-only import is gone");
  assert.equal(js('const s = "import x from y"'), 'var s = "import x from y";\n');
});

test("top-level const, let and class declarations become var ones (a name may be declared again); inner ones stay", () => {
  assert.equal(asReplCode("const a = 1, b = 2;"), "var a = 1, b = 2;");
  assert.equal(asReplCode("let c;\nclass P {\n}\n"), "var c;\nvar P = class P {\n};\n");
  const inner = "for (const x of [1]) {\n  let y = x;\n}\nfunction f() {\n  const z = 1;\n  return z;\n}\n";
  assert.equal(asReplCode(inner), inner);
  assert.equal(transpileInput("const n: number = await Promise.resolve(1)").kind, "ok");
  assert.match((transpileInput("const n: number = 1") as { code: string }).code, /^var n = 1;/);
});
