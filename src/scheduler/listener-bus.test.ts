/**
 * The listener bus: delivery in order with a time stamp, removal, and a failing listener
 * that neither reaches the poster nor stops the other listeners.
 */
import test from "node:test";
import assert from "node:assert/strict";
import { ListenerBus, type TsparkEvent } from "./listener-bus.js";

test("listeners get every event in posting order, stamped with a time", () => {
  const bus = new ListenerBus();
  const got: TsparkEvent[] = [];
  bus.addListener((e) => got.push(e));
  const before = Date.now();
  bus.post({ event: "jobStart", jobId: 0, name: "count at a.ts:1", description: undefined, group: undefined });
  bus.post({ event: "jobEnd", time: 42, jobId: 0, result: "SUCCEEDED", error: undefined });
  assert.deepEqual(got.map((e) => e.event), ["jobStart", "jobEnd"]);
  assert.ok(got[0]!.time >= before && got[0]!.time <= Date.now());
  assert.equal(got[1]!.time, 42, "a given time is kept");
});

test("a removed listener gets nothing more", () => {
  const bus = new ListenerBus();
  let n = 0;
  const remove = bus.addListener(() => n++);
  bus.post({ event: "applicationEnd" });
  remove();
  bus.post({ event: "applicationEnd" });
  assert.equal(n, 1);
  assert.equal(bus.hasListeners, false);
});

test("a throwing listener is logged once, keeps receiving, and never breaks the poster or the others", (t) => {
  const bus = new ListenerBus();
  const warnings: string[] = [];
  t.mock.method(process.stderr, "write", (s: string) => (warnings.push(String(s)), true));
  let failing = 0;
  let healthy = 0;
  bus.addListener(() => {
    failing++;
    throw new Error("listener bug");
  });
  bus.addListener(() => healthy++);
  assert.doesNotThrow(() => {
    bus.post({ event: "applicationEnd" });
    bus.post({ event: "applicationEnd" });
  });
  t.mock.restoreAll();
  assert.equal(failing, 2);
  assert.equal(healthy, 2);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /WARN listener-bus: a listener failed on applicationEnd.*listener bug/s);
});
