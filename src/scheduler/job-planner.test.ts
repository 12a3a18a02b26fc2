import test from "node:test";
import assert from "node:assert/strict";
import { JobPlanner, MAX_PLANNING_DEPTH } from "./job-planner.js";
import { planNodes, type PartitionPlan } from "./plan.js";

/** Plans node `i` of a chain of joins as an RDD does: its parents' plans within its own. */
function planChain(i: number, planner: JobPlanner): PartitionPlan {
  return planner.planNode(() =>
    i === 0
      ? { kind: "range", start: 0, end: 1, step: 1 }
      : { kind: "hash-join", left: planChain(i - 1, planner), right: planner.planNode(() => ({ kind: "range", start: i, end: i + 1, step: 1 })), how: "inner" },
  );
}

test("planNode plans a lineage far deeper than the stack, as deep a plan as a recursion would make", () => {
  const planner = new JobPlanner();
  const plan = planChain(100_000, planner);
  const nodes = [...planNodes(plan)];
  assert.equal(nodes.length, 200_001);
  // Every join's left side (the chain) before its right (a range): the ranges in pre-order count up, none a stand-in.
  assert.deepEqual(nodes.filter((p) => p.kind === "range").map((p) => p.start), Array.from({ length: 100_001 }, (_, i) => i));
  assert.ok(nodes.every((p) => p.kind !== "empty"));
});

test("planNode: a shallow lineage is planned by plain calls; a failed planning leaves nothing queued", () => {
  const planner = new JobPlanner();
  const shallow = planChain(MAX_PLANNING_DEPTH - 1, planner);
  assert.equal([...planNodes(shallow)].length, 2 * MAX_PLANNING_DEPTH - 1);
  assert.throws(() => planner.planNode(() => planChain(2 * MAX_PLANNING_DEPTH, planner) && planner.planNode(() => { throw new Error("no partitioner"); })), /no partitioner/);
  assert.equal([...planNodes(planChain(3, planner))].length, 7);
});
