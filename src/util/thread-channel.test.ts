import test from "node:test";
import assert from "node:assert/strict";
import { ThreadChannel } from "./thread-channel.js";
import { TsparkError } from "../errors.js";

const ECHO = new URL("./testing/echo-thread.js", import.meta.url);

test("a synchronous call blocks until the thread's asynchronous work answers; errors keep their code", async () => {
  const notices: unknown[] = [];
  const channel = new ThreadChannel(ECHO, (n) => notices.push(n));
  try {
    const before = Date.now();
    let timerRan = false;
    setTimeout(() => (timerRan = true), 0);
    assert.deepEqual(channel.callSync("echo", [{ a: [1, 2] }, 150], 10_000), { a: [1, 2] });
    assert.ok(Date.now() - before >= 140, "waited for the thread's timer");
    assert.equal(timerRan, false, "this thread was blocked: its own timer could not run");
    assert.throws(() => channel.callSync("fail", ["no good"], 10_000), (e: unknown) => e instanceof TsparkError && e.code === "INVALID_ARGUMENT" && e.message === "no good");
    assert.throws(() => channel.callSync("nope", [], 10_000), /no such thread call: nope/);
    assert.throws(() => channel.callSync("echo", ["late", 300], 100), /echo did not finish within 100 ms/);
    await new Promise((r) => setTimeout(r, 500)); // the late answer arrives meanwhile
    assert.equal(channel.callSync("echo", ["after", 0], 10_000), "after", "the late answer to the call that timed out is not taken for this one");
    // Asynchronous calls answer in their own time; notices arrive in order.
    assert.deepEqual(await Promise.all([channel.call("echo", ["x", 50]), channel.call("echo", ["y", 0])]), ["x", "y"]);
    await assert.rejects(channel.call("fail", ["async no good"]), /async no good/);
    assert.ok(notices.includes('echoed "x"') && notices.includes('echoed "y"'), JSON.stringify(notices));
  } finally {
    await channel.close();
  }
});

test("an asynchronous call keeps the process alive until it answers; an idle thread does not", async () => {
  const channel = new ThreadChannel(ECHO, () => {});
  // Nothing else is pending here: were the call not keeping the event loop alive, the test
  // process would end before it answered and the test would be reported as cancelled.
  assert.equal(await channel.call("echo", [7, 300]), 7);
  await channel.close();
  await assert.rejects(channel.call("echo", [1, 0]), /exited/);
});
