import test from "node:test";
import assert from "node:assert/strict";
import v8 from "node:v8";
import { closureIdsOf, flattenPlan, inflatePlan, leavesInReadOrder, mapChildPlans, planNodes, rewritePlan, type FlatPlan, type PartitionPlan } from "./plan.js";

const leaf = (start: number): PartitionPlan => ({ kind: "range", start, end: start + 1, step: 1 });
const input = (partition: number): PartitionPlan => ({ kind: "executor-input", from: { rdd: "r", partitions: 9, partition, records: "tagged-batches" } });

/** A chain of `depth` joins, each of the previous chain (left) and a leaf (right), each under a mapValues step. */
function chainedJoins(depth: number, right: (i: number) => PartitionPlan = leaf): PartitionPlan {
  let plan = right(0);
  for (let i = 1; i <= depth; i++) plan = { kind: "narrow", parent: { kind: "hash-join", left: plan, right: right(i), how: "inner" }, partitionIndex: 0, steps: [{ op: "mapValues", fns: [`f${i}`] }] };
  return plan;
}

test("planNodes: each node before the plans it reads from, in their order", () => {
  const plan: PartitionPlan = { kind: "concat", parents: [{ kind: "zip", left: leaf(1), right: leaf(2) }, leaf(3)] };
  assert.deepEqual([...planNodes(plan)].map((p) => (p.kind === "range" ? p.start : p.kind)), ["concat", "zip", 1, 2, 3]);
});

test("leaves in read order and closure ids, of a plan far deeper than the stack", () => {
  const plan = chainedJoins(50_000, input);
  const leaves = leavesInReadOrder(plan);
  assert.equal(leaves.length, 50_001);
  // A join reads its right side first: the outermost join's right leaf, and so on down.
  assert.deepEqual(leaves.slice(0, 2).map((l) => l.from!.partition), [50_000, 49_999]);
  assert.equal(leaves[50_000]!.from!.partition, 0);
  const ids = [...closureIdsOf(plan)];
  assert.equal(ids.length, 50_000);
  assert.deepEqual(ids.slice(0, 2), ["f50000", "f49999"]);
});

/** A plan as its nodes in order, each without its children: equal for equal plans, at any depth. */
const shape = (plan: PartitionPlan) => [...planNodes(plan)].map((p) => JSON.stringify(mapChildPlans(p, () => ({ kind: "empty" }))));

test("a flattened plan: V8 writes it however deep the plan, and it inflates to the same plan", () => {
  const deep = chainedJoins(10_000);
  assert.throws(() => v8.deserialize(v8.serialize(deep)), RangeError, "V8's serializer recurses: too deep a plan for it nested");
  assert.deepEqual(shape(inflatePlan(v8.deserialize(v8.serialize(flattenPlan(deep))) as FlatPlan)), shape(deep));
  const small: PartitionPlan = { kind: "cartesian", left: { kind: "concat", parents: [leaf(1), { kind: "concat", parents: [] }] }, right: leaf(2) };
  assert.deepEqual(inflatePlan(flattenPlan(small)), small);
  assert.deepEqual(flattenPlan(leaf(7)), { nodes: [leaf(7)], children: [[]] });
});

test("a plan node reached twice is flattened once, and is one node again when inflated", () => {
  const shared = leaf(1);
  const plan: PartitionPlan = { kind: "zip", left: { kind: "narrow", parent: shared, partitionIndex: 0, steps: [] }, right: shared };
  const flat = flattenPlan(plan);
  assert.equal(flat.nodes.length, 3);
  const back = inflatePlan(flat) as Extract<PartitionPlan, { kind: "zip" }>;
  assert.deepEqual(back, plan);
  assert.equal((back.left as Extract<PartitionPlan, { kind: "narrow" }>).parent, back.right);
});

test("rewritePlan: replaced nodes whole, the rest rebuilt bottom-up through `after`, however deep; a shared node once", () => {
  const deep = chainedJoins(50_000, input);
  let replaced = 0;
  const rewritten = rewritePlan(deep, (node) => (node.kind === "executor-input" ? (replaced++, leaf(node.from!.partition)) : undefined), (node) => (node.kind === "narrow" ? { ...node, partitionIndex: 7 } : node));
  assert.equal(replaced, 50_001);
  assert.deepEqual(shape(rewritten), shape(chainedJoins(50_000)).map((s) => s.replace('"partitionIndex":0', '"partitionIndex":7')));
  const shared = input(1);
  const plan: PartitionPlan = { kind: "zip", left: { kind: "narrow", parent: shared, partitionIndex: 0, steps: [] }, right: shared };
  const back = rewritePlan(plan, (node) => (node.kind === "executor-input" ? leaf(9) : undefined)) as Extract<PartitionPlan, { kind: "zip" }>;
  assert.equal((back.left as Extract<PartitionPlan, { kind: "narrow" }>).parent, back.right, "still one node");
  assert.deepEqual(back.right, leaf(9));
});
