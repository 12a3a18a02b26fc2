// Preloaded into worker processes (tspark.executor.extraNodeOptions=--import ...): holds the
// worker's start-up until the file named by TSPARK_TEST_START_GATE exists, so a test can
// make something happen before any worker is ready, without relying on timing.
import { existsSync } from "node:fs";

const gate = process.env.TSPARK_TEST_START_GATE;
const nap = new Int32Array(new SharedArrayBuffer(4));
if (gate) while (!existsSync(gate)) Atomics.wait(nap, 0, 0, 10);
