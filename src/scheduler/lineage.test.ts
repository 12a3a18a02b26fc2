import test from "node:test";
import assert from "node:assert/strict";
import { walkLineage } from "./lineage.js";

interface Node {
  id: number;
  deps: Node[];
  dependencies(): Node[];
}

function node(id: number, ...deps: Node[]): Node {
  return { id, deps, dependencies: () => deps };
}

// 3 ← 2 ← 0, 3 ← 1 ← 0: node 0 is reached by two paths.
const n0 = node(0);
const n1 = node(1, n0);
const n2 = node(2, n0);
const n3 = node(3, n2, n1);

test("walkLineage visits each node once: dependencies first by default, or the node first", () => {
  assert.deepEqual([...walkLineage(n3)].map((n) => n.id), [0, 2, 1, 3]);
  assert.deepEqual([...walkLineage(n3, { order: "pre" })].map((n) => n.id), [3, 2, 0, 1]);
});

test("walkLineage does not look behind a node `descend` refuses", () => {
  assert.deepEqual([...walkLineage(n3, { descend: (n) => n.id !== 2 })].map((n) => n.id), [2, 0, 1, 3]);
  assert.deepEqual([...walkLineage(n3, { descend: (n) => n.id !== 3 })].map((n) => n.id), [3]);
});

test("walkLineage reads a node's dependencies only when it gets there (a visit may cut the lineage after it)", () => {
  const cut = node(5, node(4));
  const root = node(6, cut);
  const seen: number[] = [];
  for (const n of walkLineage(root, { order: "pre" })) {
    seen.push(n.id);
    if (n.id === 6) cut.deps.length = 0; // as a checkpoint written by the first visit would
  }
  assert.deepEqual(seen, [6, 5]);
});

test("walkLineage walks a lineage far deeper than the stack (chained unions), in the same order", () => {
  // A chain of unions: each node reads the previous one and a leaf of its own.
  const depth = 100_000;
  let chain = node(0);
  for (let i = 1; i <= depth; i++) chain = node(2 * i, chain, node(2 * i + 1));
  let count = 0;
  let first: number | undefined;
  for (const n of walkLineage(chain)) {
    first ??= n.id;
    count++;
  }
  assert.equal(count, 2 * depth + 1);
  assert.equal(first, 0);
  assert.deepEqual([...walkLineage(chain, { order: "pre" })].slice(0, 3).map((n) => n.id), [2 * depth, 2 * depth - 2, 2 * depth - 4]);
});
