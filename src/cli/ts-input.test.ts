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

test("an import line is kept even when the input does not use it", () => {
  assert.match((transpileInput('import { readFileSync } from "node:fs"') as { code: string }).code, /import \{ readFileSync \}/);
});
