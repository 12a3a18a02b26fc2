import test from "node:test";
import assert from "node:assert/strict";
import { BlockTracker } from "./block-tracker.js";
import type { PartitionPlan } from "../scheduler/plan.js";

test("preferredExecutor: the worker holding in memory a block the plan reads, however deep in the plan", () => {
  const tracker = new BlockTracker();
  tracker.update("1", [{ blockId: "rdd_3_0", memory: false, disk: true, bytes: 10 }]);
  tracker.update("2", [{ blockId: "rdd_4_0", memory: true, disk: false, bytes: 10 }]);
  const cached = (rdd: number, compute: PartitionPlan): PartitionPlan => ({ kind: "cached", blockId: `rdd_${rdd}_0`, level: { useMemory: true, useDisk: true }, compute });
  let plan: PartitionPlan = cached(4, { kind: "empty" });
  for (let i = 0; i < 50_000; i++) plan = { kind: "narrow", parent: plan, partitionIndex: 0, steps: [] };
  assert.equal(tracker.preferredExecutor(cached(3, plan)), "2", "on disk only: no preference for its worker; the one in memory further down decides");
  assert.equal(tracker.preferredExecutor({ kind: "empty" }), undefined);
});
