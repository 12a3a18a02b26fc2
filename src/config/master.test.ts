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
  const engine: "local" = master.engine;
  assert.equal(engine, "local");
});

test("anything else is refused with the supported forms", () => {
  for (const bad of ["yarn", "spark://host:7077", "local[]", "local[-1]", "local[2", " local", "LOCAL"]) {
    assert.throws(() => parseMaster(bad), (err: unknown) => err instanceof TsparkError && err.code === "CONFIG" && err.message === `unsupported master "${bad}": use local, local[N] or local[*]`, bad);
  }
  assert.throws(() => parseMaster("local[0]"), { message: 'master "local[0]" needs at least one worker' });
});
