// A program of narrow transformations and actions: run on tspark's engine and on Spark, it
// must print the same lines (test/e2e/spark-engine.test.ts).
import { SparkContext } from "tspark";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const sc = new SparkContext({ appName: "spark-narrow" });
const dir = mkdtempSync(join(tmpdir(), "tspark-spark-narrow-"));
writeFileSync(join(dir, "a.txt"), "the quick brown fox\njumps over\n\nthe lazy dög 🦊\n");
const factor = 3;
const nums = sc.parallelize(Array.from({ length: 20 }, (_, i) => i), 4);
const lines = sc.textFile(join(dir, "a.txt"), 2);
const show = (label: string, v: unknown) => console.log(`${label} ${JSON.stringify(v)}`);

show("map/filter", await nums.map((x) => x * factor).filter((x) => x % 2 === 0).collect());
show("flatMap", await lines.flatMap((l) => l.split(" ").filter(Boolean)).collect());
show("count", await lines.count());
show("reduce", await nums.reduce((a, b) => a + b));
show("fold", await nums.fold(0, (a, b) => a + b));
show("aggregate", await nums.aggregate([0, 0] as [number, number], (acc, x) => [acc[0] + x, acc[1] + 1] as [number, number], (a, b) => [a[0] + b[0], a[1] + b[1]] as [number, number]));
show("sum/mean", [await nums.sum(), await nums.mean()]);
show("stats", (await nums.stats()).toJSON());
show("take/first", [await nums.take(3), await nums.first()]);
show("top/takeOrdered", [await nums.top(3), await nums.takeOrdered(3, (x) => -x)]);
show("isEmpty", [await nums.isEmpty(), await sc.emptyRDD().isEmpty()]);
show("countByValue", [...(await nums.map((x) => x % 3).countByValue())].sort());
show("glom", await nums.glom().collect());
show("mapPartitionsWithIndex", await nums.mapPartitionsWithIndex((i, it) => [[i, [...it].length]]).collect());
show("zipWithIndex", await lines.zipWithIndex().collect());
show("union", await nums.filter((x) => x < 3).union(sc.parallelize([100, 200])).collect());
show("coalesce", (await nums.coalesce(2).glom().collect()).map((p) => p.length));
show("range", await sc.range(0, 100, 7, 3).collect());
show("sample", (await nums.sample(false, 0.5, 42).collect()).length > 0);
show("keyBy/mapValues", await nums.filter((x) => x < 4).keyBy((x) => `k${x}`).mapValues((v) => v * 10).collect());
const seen = sc.accumulator(0);
const offset = sc.broadcast(1000);
show("accumulator/broadcast", [await nums.map((x) => { seen.add(1); return x + offset.value; }).reduce((a, b) => Math.max(a, b)), seen.value]);
await nums.foreach((x) => seen.add(x));
show("accumulator after foreach", seen.value);
const out = join(dir, "saved");
await nums.filter((x) => x % 5 === 0).map(String).saveAsTextFile(out);
show("saveAsTextFile/textFile", [(await sc.textFile(out).collect()).sort(), (await sc.wholeTextFiles(out).count()) > 0]);
await sc.parallelize([{ a: 1 }, { b: [2, 3] }], 2).saveAsObjectFile(join(dir, "objects"));
show("objectFile", await sc.objectFile(join(dir, "objects")).collect());
const local: number[] = [];
await nums.foreach((x) => void local.push(x)); // runs in workers: the driver's array stays empty
show("foreach", local.length);
show("toLocalIterator", await (async () => { const out: number[] = []; for await (const x of nums.toLocalIterator()) out.push(x); return out.length; })());
await sc.stop();
