/**
 * Task metrics measured in the workers (per batch or per file, never per record), as the
 * listener events carry them: records and bytes in, shuffle bytes written and read.
 */
import test, { after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SparkContext } from "../index.js";
import { runtimeOf } from "../driver/runtime-registry.js";
import type { TsparkEvent } from "../scheduler/listener-bus.js";

const sc = new SparkContext({ master: "local[2]", appName: "metrics-test", conf: { "tspark.ui.enabled": false } });
const dir = mkdtempSync(join(tmpdir(), "tspark-metrics-test-"));
after(async () => {
  await sc.stop();
  rmSync(dir, { recursive: true, force: true });
});

type TaskEnd = Extract<TsparkEvent, { event: "taskEnd" }>;

async function taskEnds<T>(action: () => Promise<T>): Promise<TaskEnd[]> {
  const got: TaskEnd[] = [];
  const remove = runtimeOf(sc).addListener((e) => e.event === "taskEnd" && got.push(e));
  try {
    await action();
  } finally {
    remove();
  }
  return got;
}

const sum = (xs: TaskEnd[], f: (m: NonNullable<TaskEnd["metrics"]>) => number) => xs.reduce((a, t) => a + f(t.metrics!), 0);

test("a text file's tasks read all its lines and bytes", async () => {
  const path = join(dir, "lines.txt");
  writeFileSync(path, Array.from({ length: 5000 }, (_, i) => `line ${i}`).join("\n") + "\n");
  const ends = await taskEnds(() => sc.textFile(path, 3).count());
  assert.ok(ends.length >= 3);
  assert.equal(sum(ends, (m) => m.recordsIn), 5000);
  assert.equal(sum(ends, (m) => m.bytesIn), statSync(path).size);
  assert.equal(sum(ends, (m) => m.shuffleWriteBytes + m.shuffleReadBytes), 0);
});

test("a shuffle: the reduce tasks read exactly the bytes the map tasks wrote", async () => {
  const pairs = sc.parallelize(Array.from({ length: 3000 }, (_, i) => [i % 97, i] as [number, number]), 4);
  const ends = await taskEnds(() => pairs.groupByKey(3).count());
  const stages = [...new Set(ends.map((t) => t.stageId))].sort((a, b) => a - b);
  assert.equal(stages.length, 2);
  const [maps, reduces] = stages.map((s) => ends.filter((t) => t.stageId === s)) as [TaskEnd[], TaskEnd[]];
  assert.equal(sum(maps, (m) => m.recordsIn), 3000);
  assert.ok(sum(maps, (m) => m.bytesIn) > 0, "parallelized data has a size");
  const written = sum(maps, (m) => m.shuffleWriteBytes);
  assert.ok(written > 0);
  assert.equal(sum(reduces, (m) => m.shuffleReadBytes), written);
  assert.equal(sum(reduces, (m) => m.shuffleWriteBytes), 0);
  assert.equal(sum(reduces, (m) => m.recordsIn + m.bytesIn), 0, "shuffle reads are not input (the UI showed 'Input 332 / 0 B')");
  assert.equal(sum(reduces, (m) => m.recordsOut), 3, "one count per reduce partition");
});
