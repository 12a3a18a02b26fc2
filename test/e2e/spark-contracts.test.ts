// The API contract suites (src/api tests built on src/testing/contract-context.ts) run against
// Apache Spark, each pinned release (installed by scripts/install-spark.sh): they pass, most
// of their tests really run there, and each test skipped on Spark says why. Both run on
// separate executor JVMs (local-cluster), so records really cross to executors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { testSparks } from "../../src/spark/testing/installed-spark.js";
import { BUG_ON_SPARK, CONTRACT_CONF_ENV, CONTRACT_MASTER_ENV, LOCAL_ENGINE_ONLY } from "../../src/testing/contract-context.js";

const ROOT = join(fileURLToPath(import.meta.url), "..", "..", "..");
const SUITES = ["rdd.test.js", "input.test.js", "rdd-contracts.test.js", "shared-state-contracts.test.js", "pair-rdd.test.js", "shuffle-arguments.test.js", "shared-lineage.test.js", "record-classes.test.js", "serializers.test.js", "speculation.test.js", "job-control.test.js", "failure-modes.test.js", "barrier.test.js", "persistence.test.js"].map((f) => join("dist", "api", f));

/** Fewer passing tests than this means the suites no longer really run on Spark. */
const MIN_PASSED_ON_SPARK = 50;

/** The tests skipped on Spark: each must be listed here with its kind of reason, so that a new one is a visible decision. */
const EXPECTED_SKIPS: Record<string, typeof LOCAL_ENGINE_ONLY | typeof BUG_ON_SPARK> = {
  "a straggling task's speculative copy finishes the job long before the straggler would": LOCAL_ENGINE_ONLY,
  "PageRank, 800 iterations without a checkpoint (a lineage of 800 shuffles)": LOCAL_ENGINE_ONLY,
  "when a stage fails its job, the job's other stages launch no more tasks; the context stays usable": LOCAL_ENGINE_ONLY,
};

interface TapSummary {
  passed: number;
  failed: number;
  skipped: number;
  /** Each skipped test's name and reason. */
  skips: Array<{ name: string; reason: string }>;
}

function summaryOf(tap: string): TapSummary {
  const count = (what: string) => Number(new RegExp(`^# ${what} (\\d+)$`, "m").exec(tap)?.[1] ?? NaN);
  const skips = [...tap.matchAll(/^\s*ok \d+ - (.*?) # SKIP (.*)$/gm)].map(([, name, reason]) => ({ name: name!, reason: reason! }));
  return { passed: count("pass"), failed: count("fail"), skipped: count("skipped"), skips };
}

for (const s of testSparks()) {
  const master = "local-cluster[2,1,1024]";
  const conf = { "spark.ui.enabled": "false" };

  test(`Spark ${s.version} (${master}): the API contract suites pass, and what they skip says why`, { skip: s.skip, timeout: 1_020_000 }, (t) => {
    // Without NODE_TEST_CONTEXT: the child runs its files itself instead of reporting to this runner.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== "NODE_TEST_CONTEXT"));
    const started = Date.now();
    const r = spawnSync(process.execPath, ["--test", "--test-concurrency=1", "--test-reporter=tap", ...SUITES], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...env, SPARK_HOME: s.spark!.home, [CONTRACT_MASTER_ENV]: master, [CONTRACT_CONF_ENV]: JSON.stringify(conf) },
      timeout: 960_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    const output = `${r.stdout}\n${r.stderr}`;
    const seconds = Math.round((Date.now() - started) / 1000);
    assert.equal(r.status, 0, `the suites failed on Spark ${s.version} (${seconds} s):\n${output}`);
    const sum = summaryOf(r.stdout);
    assert.equal(sum.failed, 0, output);
    assert.ok(sum.passed >= MIN_PASSED_ON_SPARK, `only ${sum.passed} tests passed on Spark:\n${output}`);
    assert.equal(sum.skips.length, sum.skipped, `every skip states its reason:\n${output}`);
    const unexplained = sum.skips.filter(({ reason }) => !reason.startsWith(LOCAL_ENGINE_ONLY) && !reason.startsWith(BUG_ON_SPARK));
    assert.deepEqual(unexplained, [], "a skip on Spark is for tspark's engine only, or for a named bug");
    const skipped = Object.fromEntries(sum.skips.map(({ name, reason }) => [name, reason.startsWith(BUG_ON_SPARK) ? BUG_ON_SPARK : LOCAL_ENGINE_ONLY]));
    assert.deepEqual(skipped, EXPECTED_SKIPS, "the tests skipped on Spark are those listed, for the reasons listed");
    t.diagnostic(`Spark ${s.version} (${master}): ${sum.passed} passed, ${sum.skipped} skipped in ${seconds} s`);
  });
}
