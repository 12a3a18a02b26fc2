/**
 * A partition's result larger than one frame between processes (1 GiB) comes to the driver in
 * pieces, for collect() and toLocalIterator(); only tspark.driver.maxResultSize refuses it,
 * with the user-level message, checked as the pieces come (the driver does not hold it all
 * first). Each test moves about 1.2 GB through a worker.
 */
import test from "node:test";
import assert from "node:assert/strict";
import { SparkContext } from "../index.js";

/** One partition of 300 strings of 4 MiB: 1.2 GiB of result, beyond a frame. */
const STRINGS = 300;
const SIZE = 4 * 2 ** 20;
const big = (sc: SparkContext) => sc.parallelize([0], 1).flatMap((seed) => Array.from({ length: STRINGS }, (_, i) => String.fromCharCode(97 + ((seed + i) % 26)).repeat(SIZE)));

test("collect() and toLocalIterator() of a 1.2 GiB partition result, with maxResultSize 0", { timeout: 240_000 }, async () => {
  const sc = new SparkContext({ master: "local[1]", appName: "large-results-test", conf: { "tspark.driver.maxResultSize": "0", "tspark.ui.enabled": "false" } });
  try {
    const all = await big(sc).collect();
    assert.equal(all.length, STRINGS);
    assert.ok(all.every((s, i) => s.length === SIZE && s[0] === String.fromCharCode(97 + (i % 26))), "every record whole and in order");
    all.length = 0;
    let n = 0;
    for await (const s of big(sc).toLocalIterator()) {
      assert.equal(s.length, SIZE);
      assert.equal(s[SIZE - 1], String.fromCharCode(97 + (n % 26)));
      n++;
    }
    assert.equal(n, STRINGS);
  } finally {
    await sc.stop();
  }
});

test("a result in pieces past tspark.driver.maxResultSize fails the job with the limit's message; the context goes on", { timeout: 240_000 }, async () => {
  const sc = new SparkContext({ master: "local[1]", appName: "large-results-limit-test", conf: { "tspark.driver.maxResultSize": "600m", "tspark.ui.enabled": "false" } });
  try {
    const err = await big(sc).collect().then(() => undefined, (e: unknown) => e as Error & { code?: string });
    assert.ok(err, "refused");
    assert.equal(err.code, "INVALID_ARGUMENT");
    assert.match(err.message, /^Job \d+ aborted: the result of one task \([\d.]+ [MG]iB so far\) exceeds tspark\.driver\.maxResultSize \(600m\)\. Use rdd\.toLocalIterator\(\)/);
    assert.deepEqual(await sc.parallelize([1, 2, 3]).collect(), [1, 2, 3]);
  } finally {
    await sc.stop();
  }
});
