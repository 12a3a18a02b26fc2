import test from "node:test";
import assert from "node:assert/strict";
import { resultSizeLimit } from "./driver-runtime.js";

const MB = 2 ** 20;

test("results are limited by maxResultSize, but never past a quarter of the driver's heap; 0 stays unlimited", () => {
  assert.deepEqual(resultSizeLimit(1024 * MB, "1g", 4144 * MB), { bytes: 1024 * MB, text: "tspark.driver.maxResultSize (1g)" });
  const small = resultSizeLimit(1024 * MB, "1g", 148 * MB);
  assert.equal(small.bytes, 37 * MB);
  assert.match(small.text, /^a quarter of the driver's heap \(37(\.0)? MiB of 148(\.0)? MiB; --driver-memory raises it, tspark\.driver\.maxResultSize is 1g\)$/);
  assert.deepEqual(resultSizeLimit(0, "0", 148 * MB), { bytes: 0, text: "tspark.driver.maxResultSize (0)" });
});
