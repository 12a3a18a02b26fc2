/**
 * Serializers the user chooses (issue 16): JSONSerializer and a CustomSerializer carry an
 * RDD's records through a shuffle and a disk cache, a batch size applies, and the context's
 * default serves RDDs without their own. Runs on every engine (src/testing/contract-context.ts).
 */
import test, { after } from "node:test";
import assert from "node:assert/strict";
import { CustomSerializer, JSONSerializer, StorageLevel, TsparkSerializer, TsparkError, type RDD } from "../index.js";
import { contractContext } from "../testing/contract-context.js";
import { lastJobMetric } from "../testing/job-metrics.js";

const { sc } = contractContext("serializers-test");
after(() => sc.stop());

/** Records as JSON text, with a mark added on the way back: a record that crossed it says so. */
const marking = new CustomSerializer<[string, { n: number; via?: string }]>(
  {
    encode: (r) => new TextEncoder().encode(JSON.stringify(r)),
    decode: (b) => {
      const [k, v] = JSON.parse(new TextDecoder().decode(b)) as [string, { n: number; via?: string }];
      return [k, { ...v, via: "custom" }];
    },
  },
  { name: "marking" },
);

const pairs = () => sc.parallelize([["a", 1], ["b", 2], ["a", 3]] as Array<[string, number]>, 2);
const sorted = <T>(rdd: RDD<[string, T]>) => rdd.sortByKey(true, 1).collect();

test("JSONSerializer carries a shuffle's records, with JSON's limits", async () => {
  const dated = pairs().mapValues((n) => new Date(n * 1000)).withSerializer(new JSONSerializer());
  const grouped = await sorted(dated.groupByKey().mapValues((ds) => [...ds].map((d) => typeof d).join()));
  assert.deepEqual(grouped, [["a", "string,string"], ["b", "string"]], "Dates crossed as JSON strings");
  const kept = await sorted(pairs().mapValues((n) => new Date(n * 1000)).groupByKey().mapValues((ds) => [...ds].map((d) => d instanceof Date).join()));
  assert.deepEqual(kept, [["a", "true,true"], ["b", "true"]], "tspark's own serializer keeps them");
  assert.deepEqual(await sorted(pairs().withSerializer(new JSONSerializer()).reduceByKey((x, y) => x + y)), [["a", 4], ["b", 2]]);
});

test("a CustomSerializer's functions encode and decode the records of a shuffle", async () => {
  const out = await sorted(pairs().mapValues((n) => ({ n }) as { n: number; via?: string }).withSerializer(marking).groupByKey().mapValues((vs) => [...vs].map((v) => `${v.n}:${v.via}`).sort().join()));
  assert.deepEqual(out, [["a", "1:custom,3:custom"], ["b", "2:custom"]]);
});

test("a disk cache is written by the RDD's serializer: records read from it were decoded by it", async () => {
  const cached = pairs().mapValues((n) => ({ n }) as { n: number; via?: string }).withSerializer(marking).persist(StorageLevel.DISK_ONLY);
  // tspark's engine hands the first action the records it keeps as they are computed; Spark stores them first, then reads them.
  await cached.collect();
  assert.deepEqual((await cached.collect()).map(([, v]) => v.via), ["custom", "custom", "custom"]);
  cached.unpersist();
  const json = pairs().mapValues((n) => new Map([[n, n]])).withSerializer(new JSONSerializer()).persist(StorageLevel.DISK_ONLY);
  await json.count();
  assert.deepEqual((await json.collect()).map(([, m]) => m instanceof Map), [false, false, false], "read back as JSON keeps it");
  json.unpersist();
});

test("a serializer's batch size sets the records per batch", async () => {
  const shuffleBytes = async (batchSize: number) => {
    await pairs().withSerializer(new JSONSerializer({ batchSize })).groupByKey(1).count();
    return lastJobMetric(sc, "shuffleWriteBytes");
  };
  const one = await shuffleBytes(1);
  const many = await shuffleBytes(1000);
  assert.ok(one > many, `a batch per record writes more (${one} bytes) than one batch per partition (${many})`);
});

test("an RDD without its own serializer has the context's; bad serializers and batch sizes are refused", () => {
  const rdd = sc.parallelize([1]);
  assert.equal(rdd.serializer, sc.serializer);
  assert.ok(sc.serializer instanceof TsparkSerializer);
  assert.throws(() => rdd.withSerializer({} as never), (e: unknown) => e instanceof TsparkError && e.code === "INVALID_ARGUMENT");
  assert.throws(() => new JSONSerializer({ batchSize: 0 }), /batchSize must be a positive integer/);
  assert.throws(() => new CustomSerializer({ encode: () => new Uint8Array() } as never), /CustomSerializer needs/);
});
