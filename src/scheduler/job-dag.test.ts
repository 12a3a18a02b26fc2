import test from "node:test";
import assert from "node:assert/strict";
import { jobDag, MAX_DAG_NODES } from "./job-dag.js";
import { FakeNode } from "./testing/fake-lineage.js";

test("a job's DAG: every RDD once, its dependencies, and the stage computing it (the result stage, or a shuffle's map stage)", () => {
  const left = FakeNode.source(2);
  const right = FakeNode.source(2);
  const both = FakeNode.narrow(2, left, right); // a union: both sides in one stage
  const reduced = FakeNode.shuffled(both, 7, 3);
  const end = FakeNode.narrow(3, reduced, reduced); // read twice: one node, two edges
  const dag = jobDag(end);
  assert.deepEqual(dag.nodes.map((n) => [n.id, n.stage]), [[left.id, 7], [right.id, 7], [both.id, 7], [reduced.id, "result"], [end.id, "result"]]);
  assert.deepEqual(dag.edges.map(([a, b]) => `${a}->${b}`).sort(), [`${both.id}->${reduced.id}`, `${left.id}->${both.id}`, `${reduced.id}->${end.id}`, `${reduced.id}->${end.id}`, `${right.id}->${both.id}`].sort());
  assert.equal(dag.truncated, undefined);
  assert.match(dag.nodes[0]!.label, /fake-lineage\.ts/);
});

test("a lineage thousands deep: no recursion, and the RDDs nearest the result are kept", () => {
  let node = FakeNode.source(1);
  const first = node.id;
  for (let i = 0; i < 5000; i++) node = FakeNode.narrow(1, node);
  const dag = jobDag(node);
  assert.equal(dag.truncated, true);
  assert.equal(dag.nodes.length, MAX_DAG_NODES);
  assert.equal(dag.nodes[dag.nodes.length - 1]!.id, node.id);
  assert.ok(!dag.nodes.some((n) => n.id === first));
  assert.equal(dag.edges.length, MAX_DAG_NODES - 1, "only edges between kept RDDs");
});
