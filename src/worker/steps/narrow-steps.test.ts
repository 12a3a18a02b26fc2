/** The narrow operators' batch shapes: output batches stay small whatever a function returns. */
import test from "node:test";
import assert from "node:assert/strict";
import "./narrow-steps.js";
import { stepOperator } from "./step-registry.js";
import { standaloneTaskScope } from "../standalone-task.js";

async function batchSizes(op: "map" | "flatMap" | "filter" | "mapValues" | "flatMapValues", fn: Function, input: unknown[][], asyncInput = false): Promise<number[]> {
  const stream = asyncInput ? (async function* () { yield* input; })() : input;
  const out = stepOperator(op)(stream, { partitionIndex: 0, fns: [fn], args: undefined, task: standaloneTaskScope() });
  const sizes: number[] = [];
  for await (const b of out as AsyncIterable<unknown[]>) sizes.push(b.length);
  return sizes;
}

test("flatMap cuts its output into batches of about 8192 records (8192 plus one call's output at most) (larger arrays land in V8's large-object space), keeping every record in order", async () => {
  const lines = Array.from({ length: 4096 }, (_, i) => `${i} a b c d e f g h i`);
  const split = (l: string) => l.split(" ");
  for (const asyncInput of [false, true]) {
    const sizes = await batchSizes("flatMap", split, [lines], asyncInput);
    assert.equal(sizes.reduce((a, b) => a + b, 0), 40960);
    assert.ok(Math.max(...sizes) <= 8192 + 10, `batch sizes ${sizes.join(",")}`);
  }
  const sizes = await batchSizes("flatMap", async (l: string) => l.split(" "), [lines]);
  assert.ok(Math.max(...sizes) <= 8192 + 10 && sizes.reduce((a, b) => a + b, 0) === 40960, "async functions too");
  const stream = stepOperator("flatMap")([lines.slice(0, 1000)], { partitionIndex: 0, fns: [split], args: undefined, task: standaloneTaskScope() }) as Iterable<string[]>;
  assert.deepEqual([...stream].flat(), lines.slice(0, 1000).flatMap(split), "order kept");
});
