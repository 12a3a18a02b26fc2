import test from "node:test";
import assert from "node:assert/strict";
import { renderProgressBar, stagesDue, ConsoleProgressBar } from "./console-progress.js";
import type { StatusTracker } from "../api/status-tracker.js";

const stage = (stageId: number, numTasks: number, numCompletedTasks: number, numActiveTasks: number) => ({ stageId, numTasks, numCompletedTasks, numActiveTasks });

test("one stage fills the width: done part '=', the head '>', the rest blank", () => {
  const line = renderProgressBar([stage(3, 40, 12, 2)], 40);
  assert.equal(line, "[Stage 3:=====>           (12 + 2) / 40]");
  assert.equal(line.length, 40);
});

test("no tasks done draws just the head; all done fills the bar", () => {
  assert.equal(renderProgressBar([stage(0, 4, 0, 2)], 30), "[Stage 0:>        (0 + 2) / 4]");
  assert.equal(renderProgressBar([stage(0, 4, 4, 0)], 30), "[Stage 0:=========(4 + 0) / 4]");
});

test("several stages share the width; more than three are not shown", () => {
  const two = renderProgressBar([stage(1, 10, 5, 1), stage(2, 10, 0, 1)], 60);
  assert.equal(two, "[Stage 1:====>   (5 + 1) / 10][Stage 2:>       (0 + 1) / 10]");
  const four = renderProgressBar([stage(1, 1, 0, 1), stage(2, 1, 0, 1), stage(3, 1, 0, 1), stage(4, 1, 0, 1)], 90);
  assert.match(four, /Stage 3/);
  assert.doesNotMatch(four, /Stage 4/);
});

test("a line too narrow for a bar keeps the counts; no stage draws nothing", () => {
  assert.equal(renderProgressBar([stage(7, 100, 50, 3)], 10), "[Stage 7:(50 + 3) / 100]");
  assert.equal(renderProgressBar([], 80), "");
});

test("only stages running for the delay are due, oldest id first; finished ones are forgotten", () => {
  const seen = new Map<number, number>();
  assert.deepEqual(stagesDue([5, 2], seen, 1000, 500), []);
  assert.deepEqual(stagesDue([5, 2, 9], seen, 1400, 500), []);
  assert.deepEqual(stagesDue([5, 2, 9], seen, 1500, 500), [2, 5]);
  assert.deepEqual(stagesDue([9], seen, 1900, 500), [9]);
  assert.deepEqual([...seen.keys()], [9]);
});

test("text written above the bar (a log line, a worker's output) clears the drawn bar first; the next refresh draws it again", async () => {
  const writes: string[] = [];
  const tracker = {
    getActiveStageIds: () => [0],
    getStageInfo: () => ({ stageId: 0, numTasks: 4, numActiveTasks: 1, numCompletedTasks: 1 }),
  } as unknown as StatusTracker;
  const bar = new ConsoleProgressBar(tracker, { write: (t: string) => writes.push(t), columns: 41 }, 5, 0);
  try {
    while (!writes.some((w) => w.includes("[Stage 0:"))) await new Promise((r) => setTimeout(r, 5));
    const drawn = writes.length;
    bar.writeAbove("a worker's line\n");
    assert.equal(writes[drawn], `\r${" ".repeat(40)}\r`, "the bar is blanked out");
    assert.equal(writes[drawn + 1], "a worker's line\n");
    while (writes.length === drawn + 2) await new Promise((r) => setTimeout(r, 5));
    assert.match(writes[drawn + 2]!, /^\r\[Stage 0:/, "and drawn again below the line");
  } finally {
    bar.stop();
  }
});
