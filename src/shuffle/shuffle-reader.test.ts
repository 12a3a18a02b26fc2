import test from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { segmentDataPaths, segmentsOf } from "./shuffle-reader.js";
import { encodeMessage } from "../serde/message-codec.js";
import type { MapStatus } from "./shuffle-writer.js";
import type { TsparkError } from "../errors.js";

/** A shuffle directory as a context lays it out: the application's local directory, then the shuffle's. */
const DIR = "/tmp/tspark-local-1796470361201-u4MwGx/shuffle-3";

function status(mapId: number, segmentBytes: number[], dir = DIR): MapStatus {
  return { mapId, dataPath: join(dir, `map-${mapId}-0.data`), indexPath: join(dir, `map-${mapId}-0.index`), segmentBytes, spills: 0, spillBytes: 0 };
}

test("a reduce task's segments: each non-empty one's file and byte range, in map order", () => {
  const segments = segmentsOf([status(0, [5, 0, 7]), status(1, [1, 2, 3]), status(2, [4, 0, 0])], 1);
  assert.deepEqual(segmentDataPaths(segments), [join(DIR, "map-1-0.data")]);
  assert.deepEqual([...segments.starts, ...segments.ends], [1, 3]);
  const last = segmentsOf([status(0, [5, 0, 7]), status(1, [1, 2, 3]), status(2, [4, 0, 0])], 2);
  assert.deepEqual(segmentDataPaths(last), [join(DIR, "map-0-0.data"), join(DIR, "map-1-0.data")]);
  assert.deepEqual([...last.starts], [5, 3]);
  assert.deepEqual([...last.ends], [12, 6]);
  assert.deepEqual(segmentDataPaths(segmentsOf([status(2, [4, 0, 0])], 2)), [], "all empty: nothing to open");
});

test("a reduce task's plan costs a few bytes per map output, not its two paths", () => {
  // Every reduce task of a shuffle of M map outputs carries M segments: at M = R = 3200, two
  // full paths a segment were 2 GB of task messages through the driver's pipes.
  const m = 1000;
  const statuses = Array.from({ length: m }, (_, i) => status(i, [100 + i, 200 + i, 300 + i, 400 + i]));
  const plan = { kind: "shuffle-read", shuffleId: 3, partition: 2, segments: segmentsOf(statuses, 2) };
  const perMapOutput = encodeMessage(plan).length / m;
  assert.ok(perMapOutput < 40, `${perMapOutput.toFixed(1)} bytes per map output`);
});

test("map outputs the shuffle writer did not name, or in two directories, are refused", () => {
  const odd: MapStatus = { ...status(0, [1]), indexPath: join(DIR, "elsewhere.index") };
  assert.throws(() => segmentsOf([odd], 0), (e: TsparkError) => e.code === "PROTOCOL" && /not named as a shuffle writer names/.test(e.message));
  assert.throws(() => segmentsOf([status(0, [1]), status(1, [1], "/tmp/other/shuffle-3")], 0), (e: TsparkError) => e.code === "PROTOCOL" && /two directories/.test(e.message));
});
