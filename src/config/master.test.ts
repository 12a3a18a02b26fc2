import test from "node:test";
import assert from "node:assert/strict";
import { availableParallelism } from "node:os";
import { TsparkError } from "../errors.js";
import { parseMaster, slotsForMaster, type MasterUrl } from "./master.js";

test("local, local[N] and local[*] are local engines with their slots and text", () => {
  assert.deepEqual(parseMaster("local"), { engine: "local", slots: 1, text: "local" });
  assert.deepEqual(parseMaster("local[3]"), { engine: "local", slots: 3, text: "local[3]" });
  assert.deepEqual(parseMaster("local[*]"), { engine: "local", slots: availableParallelism(), text: "local[*]" });
  assert.ok(Object.isFrozen(parseMaster("local")));
  assert.equal(slotsForMaster("local[2]"), 2);
  // The discriminant is what an engine factory switches on.
  const master: MasterUrl = parseMaster("local[2]");
  assert.equal(master.engine, "local");
});

test("Spark's masters run on Spark, and so does a local one with tspark.engine=spark; slots as far as the URL tells", () => {
  assert.deepEqual(parseMaster("local-cluster[2,1,1024]"), { engine: "spark", slots: 2, text: "local-cluster[2,1,1024]" });
  assert.deepEqual(parseMaster("local-cluster[3, 2, 512]"), { engine: "spark", slots: 6, text: "local-cluster[3, 2, 512]" });
  for (const m of ["spark://host:7077", "yarn", "k8s://https://api:6443", "mesos://zk:2181"]) assert.deepEqual(parseMaster(m), { engine: "spark", slots: 2, text: m });
  assert.deepEqual(parseMaster("local[3]", "spark"), { engine: "spark", slots: 3, text: "local[3]" });
});

test("anything else is refused with the supported forms", () => {
  for (const bad of ["yarn-client", "spark:/host", "local-cluster[2]", "local[]", "local[-1]", "local[2", " local", "LOCAL"]) {
    assert.throws(() => parseMaster(bad), (err: unknown) => err instanceof TsparkError && err.code === "CONFIG" && err.message.startsWith(`unsupported master "${bad}": use local, local[N] or local[*] (tspark's engine), or a Spark master (spark://HOST:PORT, yarn`), bad);
  }
  assert.throws(() => parseMaster("local[0]"), { message: 'master "local[0]" needs at least one worker' });
});
