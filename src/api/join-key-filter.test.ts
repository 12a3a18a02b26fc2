/**
 * tspark's engine shuffles only the records of a join's side whose key the other side may
 * have (tspark.join.keyFilter, shuffle/key-filter.ts): the same answers as without the
 * filter, far fewer bytes written, and no filter where it would change the answer.
 */
import test from "node:test";
import assert from "node:assert/strict";
import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { SparkContext } from "../index.js";
import type { RDD } from "./rdd.js";
import { lastJobMetric } from "../testing/job-metrics.js";
import { MAX_FILTER_KEYS } from "../shuffle/key-filter.js";
import { JSONSerializer } from "./serializers.js";
import { runtimeOf } from "../driver/runtime-registry.js";
import { shuffleDirName } from "../storage/local-layout.js";

type Pairs = RDD<[unknown, unknown]>;
type JoinOf = (sc: SparkContext) => Pairs;

const sorted = <T>(xs: T[]) => [...xs].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));

/** The joined records and the bytes the job's shuffles wrote, with the filter on or off. */
async function run(keyFilter: boolean, joined: JoinOf): Promise<{ records: unknown[]; written: number }> {
  const sc = new SparkContext({ master: "local[2]", appName: "join-key-filter-test", conf: { "tspark.join.keyFilter": String(keyFilter), "tspark.ui.enabled": "false" } });
  try {
    const records = sorted(await joined(sc).collect());
    return { records, written: lastJobMetric(sc, "shuffleWriteBytes") };
  } finally {
    await sc.stop();
  }
}

/** 20,000 records over 2,000 keys, 20 of which the small side has (one of them twice). */
const big = (sc: SparkContext) => sc.parallelize(Array.from({ length: 20_000 }, (_, i) => [`k${i % 2_000}`, i] as [string, number]), 4);
const small = (sc: SparkContext) => sc.parallelize<[string, string]>([...Array.from({ length: 20 }, (_, i) => [`k${i * 100}`, `w${i}`] as [string, string]), ["k0", "again"], ["absent", "x"]], 2);

test("an inner join writes only the records whose key the other side has, with the same answer", async () => {
  const on = await run(true, (sc) => big(sc).join(small(sc)) as Pairs);
  const off = await run(false, (sc) => big(sc).join(small(sc)) as Pairs);
  assert.deepEqual(on.records, off.records);
  assert.equal(on.records.length, 20 * 10 + 10, "each of the 20 keys' 10 records, k0's twice");
  assert.ok(on.written * 5 < off.written, `bytes written with the filter ${on.written}, without ${off.written}`);
});

test("a right outer join is filtered too; left and full outer joins keep every record", async () => {
  for (const how of ["rightOuterJoin", "leftOuterJoin", "fullOuterJoin"] as const) {
    const joined: JoinOf = (sc) => (big(sc) as Pairs)[how](small(sc) as Pairs) as Pairs;
    const on = await run(true, joined);
    const off = await run(false, joined);
    assert.deepEqual(on.records, off.records, how);
    if (how === "rightOuterJoin") assert.ok(on.written * 5 < off.written, `${how}: ${on.written} against ${off.written}`);
    else assert.equal(on.written, off.written, how);
  }
});

test("keys match by tspark's key equality through the filter: tuples, 0 and -0, NaN; 1 and '1' stay apart", async () => {
  const joined: JoinOf = (sc) => sc.parallelize([[[1, "a"], "tuple"], [0, "zero"], [NaN, "nan"], [1, "one"], [[1, "b"], "other tuple"]] as Array<[unknown, unknown]>, 3)
    .join(sc.parallelize([[[1, "a"], "T"], [-0, "Z"], [NaN, "N"], ["1", "S"]] as Array<[unknown, unknown]>, 2));
  const on = await run(true, joined);
  assert.deepEqual(on.records, (await run(false, joined)).records);
  assert.equal(on.records.length, 3);
});

test("a side with more keys than a filter takes is joined unfiltered, with the right answer", async () => {
  const n = MAX_FILTER_KEYS + 10;
  const joined: JoinOf = (sc) => sc.parallelize(Array.from({ length: 1_000 }, (_, i) => [i * 7, i] as [number, number]), 2).join(sc.range(0, n, 1, 3).map((k) => [k, -k] as [number, number]));
  const on = await run(true, joined);
  assert.equal(on.records.length, 1_000);
  assert.deepEqual(on.records[0], [0, [0, -0]]);
});

test("a lost map output of either side is recomputed, filtered again, with the same answer", async () => {
  const sc = new SparkContext({ master: "local[2]", appName: "join-key-filter-recovery", conf: { "tspark.ui.enabled": "false" } });
  try {
    const joined = big(sc).join(small(sc));
    const first = sorted(await joined.collect());
    const written = lastJobMetric(sc, "shuffleWriteBytes");
    for (const dir of readdirSync(sc.localDir).filter((d) => d.startsWith("shuffle-"))) {
      const data = readdirSync(join(sc.localDir, dir)).find((f) => f.endsWith(".data"))!;
      rmSync(join(sc.localDir, dir, data));
    }
    assert.deepEqual(sorted(await joined.collect()), first);
    assert.ok(lastJobMetric(sc, "shuffleWriteBytes") < written, "only the lost map outputs were written again");
  } finally {
    await sc.stop();
  }
});

/** Removes every map output file of shuffle `id`. */
function loseShuffle(sc: SparkContext, id: number): void {
  const dir = join(sc.localDir, shuffleDirName(id));
  for (const f of readdirSync(dir).filter((f) => f.endsWith(".data"))) rmSync(join(dir, f));
}

test("a build side recomputed with keys its filter lacks (its function is not deterministic): the filtered side is written again, no match is lost", async () => {
  const sc = new SparkContext({ master: "local[2]", appName: "join-key-filter-nondeterministic", conf: { "tspark.ui.enabled": "false" } });
  try {
    const probe = sc.parallelize(Array.from({ length: 1_000 }, (_, k) => [k, "p"] as [number, string]), 2);
    // 20 random keys: each build record matches exactly one probe record, whatever its key.
    const build = sc.parallelize(Array.from({ length: 20 }, (_, i) => i), 2).map((i) => [Math.floor(Math.random() * 1_000), i] as [number, number]);
    const joined = probe.join(build, 2);
    assert.equal(await joined.count(), 20);
    const [buildShuffle] = readdirSync(sc.localDir).filter((d) => d.startsWith("shuffle-")).map((d) => Number(d.slice("shuffle-".length))).sort((a, b) => a - b);
    loseShuffle(sc, buildShuffle!); // `other`'s shuffle is made first
    assert.equal(await joined.count(), 20);
  } finally {
    await sc.stop();
  }
});

test("build outputs keep their key hashes only until the filtered side has used them", async () => {
  const sc = new SparkContext({ master: "local[2]", appName: "join-key-filter-memory", conf: { "tspark.ui.enabled": "false" } });
  try {
    await big(sc).join(small(sc)).count();
    const ids = readdirSync(sc.localDir).filter((d) => d.startsWith("shuffle-")).map((d) => Number(d.slice("shuffle-".length)));
    const statuses = ids.flatMap((id) => runtimeOf(sc).mapStatuses(id) ?? []);
    assert.equal(statuses.length, 4 + 2);
    assert.ok(statuses.every((s) => s.keyHashes === undefined));
    assert.equal(statuses.filter((s) => s.keyFilter !== undefined).length, 4, "the filtered side's outputs know their filter");
  } finally {
    await sc.stop();
  }
});

test("records of the JSON serializer are not filtered (JSON may change a key: a Date becomes a string)", async () => {
  const joined: JoinOf = (sc) => big(sc).withSerializer(new JSONSerializer()).join(small(sc)) as Pairs;
  const on = await run(true, joined);
  const off = await run(false, joined);
  assert.deepEqual(on.records, off.records);
  assert.equal(on.written, off.written);
});
