import test from "node:test";
import assert from "node:assert/strict";
import { WorkerBroadcasts } from "./worker-broadcasts.js";

/** A worker runtime's broadcast maps, with tspark broadcast 1 decoded. */
function runtime() {
  return { broadcasts: new Map<number, unknown>([[1, "decoded"]]), broadcastFiles: new Map<number, string>() };
}

test("a task's files: those its header sends for the Spark broadcasts its command carries", () => {
  const w = new WorkerBroadcasts();
  const r = runtime();
  w.update([{ id: 10n, path: "/x/b10" }], [[1, 10], [2, 11]], 1, r);
  assert.deepEqual([...r.broadcastFiles], [[1, "/x/b10"]], "broadcast 2 is carried, but this task was not sent its file");
  assert.equal(w.fileOf(10), "/x/b10");
  assert.equal(w.fileOf(undefined), undefined);
});

test("a decoded value outlives its file when a task does not use it", () => {
  const w = new WorkerBroadcasts();
  const r = runtime();
  w.update([{ id: 10n, path: "/x/b10" }], [[1, 10]], 1, r);
  w.update([{ dropId: 10n }], [[1, 10]], 1, r);
  assert.equal(r.broadcasts.get(1), "decoded");
  assert.equal(r.broadcastFiles.has(1), false, "the file is gone with Spark's word");
});

test("a newer Spark broadcast carrying it (unpersisted, used again) drops the decoded value", () => {
  const w = new WorkerBroadcasts();
  const r = runtime();
  w.update([{ id: 10n, path: "/x/b10" }], [[1, 10]], 1, r);
  w.update([{ dropId: 10n }, { id: 12n, path: "/x/b12" }], [[1, 12]], 2, r);
  assert.equal(r.broadcasts.has(1), false);
  assert.equal(r.broadcastFiles.get(1), "/x/b12");
});

test("the newest command carrying it no more (unpersisted, destroyed) drops it; an older job's command drops nothing", () => {
  const w = new WorkerBroadcasts();
  const r = runtime();
  w.update([{ id: 10n, path: "/x/b10" }], [[1, 10]], 3, r);
  // An RDD made by an earlier job, run again by Spark: it knew neither broadcast 1's carrier nor a later one.
  w.update([], [], 2, r);
  assert.equal(r.broadcasts.get(1), "decoded");
  // Its own older carrier: read from the file it lists, the value kept.
  w.update([{ id: 9n, path: "/x/b9" }], [[1, 9]], 2, r);
  assert.equal(r.broadcasts.get(1), "decoded");
  assert.equal(r.broadcastFiles.get(1), "/x/b9");
  w.update([], [], 4, r);
  assert.equal(r.broadcasts.has(1), false);
});
