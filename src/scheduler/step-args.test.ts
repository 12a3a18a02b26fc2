/**
 * The step contract holds at compile time: `tsc` fails this file if a step built with a
 * wrong, missing or unexpected argument compiles, or an operator reads one it is not sent.
 * At run time it only checks that such steps are still plain data.
 */
import test from "node:test";
import assert from "node:assert/strict";
import type { StepSpec } from "../api/rdd.js";
import type { Step } from "./plan.js";
import type { StepOperator } from "../worker/steps/step-registry.js";

const specs: StepSpec[] = [
  { op: "take", args: { n: 3 }, label: "take" },
  { op: "map", fns: [(x: number) => x], label: "map" },
  // @ts-expect-error take needs its n
  { op: "take", label: "take" },
  // @ts-expect-error n is a number
  { op: "take", args: { n: "3" }, label: "take" },
  // @ts-expect-error map takes no arguments
  { op: "map", args: { n: 3 }, label: "map" },
  // @ts-expect-error no such operator
  { op: "mapp", label: "map" },
];

const steps: Step[] = [
  { op: "sample", args: { withReplacement: false, fraction: 0.5, seed: 1 } },
  // @ts-expect-error sample needs its seed
  { op: "sample", args: { withReplacement: false, fraction: 0.5 } },
];

// An operator sees its own op's arguments, and only those.
export const takeOperator: StepOperator<"take"> = (input, ctx) => {
  void ctx.args.n;
  // @ts-expect-error take is not sent a fraction
  void ctx.args.fraction;
  return input;
};

test("steps typed by the contract are plain data", () => {
  assert.equal(specs.length, 6);
  assert.deepEqual(structuredClone(steps[0]), steps[0]);
});
