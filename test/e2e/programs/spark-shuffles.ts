// Every kind of shuffle, printed in an order that does not depend on the engine
// (test/e2e/spark-engine.test.ts runs it on tspark's engine and on Spark and compares).
// The last line is how much Spark's metrics say the tasks spilled (on Spark).
import { SparkContext } from "tspark";

const sc = new SparkContext({ appName: "spark-shuffles" });
const sorted = <T>(xs: T[]) => xs.map((x) => JSON.stringify(x)).sort().join(" ");
try {
  const lines = { push: (line: string) => console.log(line) };
  // More than the workers' memory (tspark.worker.memory=2m): the reduce side spills.
  const big = sc.range(0, 60_000, 1, 4).map((i) => [i % 300, `value ${i} ${"-".repeat(40)}`] as [number, string]);
  const groups = await big.groupByKey(3).mapValues((vs) => [...vs].length).collect();
  lines.push(`groupByKey ${groups.length} keys, ${groups.reduce((n, [, c]) => n + c, 0)} values, ${new Set(groups.map(([, c]) => c)).size} sizes`);
  const pairs = sc.parallelize(Array.from({ length: 200 }, (_, i) => [`k${i % 13}`, i] as [string, number]), 4);
  const add = (a: number, b: number) => a + b;
  lines.push(`reduceByKey ${sorted(await pairs.reduceByKey(add, 3).collect())}`);
  lines.push(`foldByKey ${sorted(await pairs.foldByKey(0, add).collect())}`);
  lines.push(`aggregateByKey ${sorted(await pairs.aggregateByKey([0, 0] as [number, number], (a, v) => [a[0] + v, a[1] + 1] as [number, number], (a, b) => [a[0] + b[0], a[1] + b[1]] as [number, number]).collect())}`);
  lines.push(`combineByKey ${sorted(await pairs.combineByKey((v) => [v], (c: number[], v) => [...c, v], (a, b) => [...a, ...b]).mapValues((vs) => vs.length).collect())}`);
  lines.push(`countByKey ${sorted([...(await pairs.countByKey()).entries()])}`);
  lines.push(`distinct ${sorted(await pairs.map(([k]) => k).distinct(2).collect())}`);
  lines.push(`partitionBy ${JSON.stringify((await pairs.partitionBy(3).glom().collect()).map((p) => sorted([...new Set(p.map(([k]) => k))])))}`);
  lines.push(`repartition ${(await pairs.repartition(5).glom().collect()).map((p) => p.length).reduce(add)} in 5`);
  lines.push(`coalesce with shuffle ${(await pairs.coalesce(2, true).collect()).length}`);
  lines.push(`sortByKey ${JSON.stringify((await pairs.sortByKey(false, 3).keys().collect()).filter((k, i, ks) => k !== ks[i - 1]))}`);
  lines.push(`sortBy ${JSON.stringify(await pairs.values().sortBy((v) => -v, true, 2).take(5))}`);
  lines.push(`repartitionAndSortWithinPartitions ${JSON.stringify(await pairs.repartitionAndSortWithinPartitions(2, (k) => k.length).glom().map((p) => p.map(([k]) => k).filter((k, i, ks) => k !== ks[i - 1])).collect())}`);
  const names = sc.parallelize([["k1", "one"], ["k2", "two"], ["zz", "none"]] as Array<[string, string]>);
  const few = pairs.filter(([, v]) => v < 30);
  lines.push(`join ${sorted(await few.join(names).collect())}`);
  lines.push(`leftOuterJoin ${sorted(await few.leftOuterJoin(names).collect())}`);
  lines.push(`rightOuterJoin ${sorted(await few.rightOuterJoin(names).collect())}`);
  lines.push(`fullOuterJoin ${sorted(await few.fullOuterJoin(names).collect())}`);
  lines.push(`cogroup ${sorted(await few.cogroup(names).mapValues(([a, b]) => [[...a].sort(), [...b]]).collect())}`);
  lines.push(`groupWith ${sorted(await few.groupWith(names, names).mapValues((vs) => vs.map((v) => [...v].length)).collect())}`);
  lines.push(`subtractByKey ${sorted(await few.subtractByKey(names).keys().distinct().collect())}`);
  lines.push(`subtract ${sorted(await pairs.keys().distinct().subtract(names.keys()).collect())}`);
  lines.push(`intersection ${sorted(await pairs.keys().intersection(names.keys()).collect())}`);
  const partitioned = pairs.partitionBy(3).cache();
  lines.push(`co-partitioned join ${(await partitioned.join(partitioned.mapValues((v) => v * 2)).filter(([, [a, b]]) => b === 2 * a).count())}`);
  lines.push(`zip of shuffles ${(await partitioned.zip(partitioned.mapValues((v) => -v)).filter(([[k1, v], [k2, w]]) => k1 === k2 && v === -w).count())}`);
  lines.push(`coalesce of a shuffle ${sorted(await pairs.reduceByKey(add, 4).coalesce(1).glom().map((p) => p.length).collect())}`);
  lines.push(`cartesian of shuffles ${(await pairs.reduceByKey(add, 2).cartesian(names.partitionBy(2)).count())}`);
  lines.push(`lookup ${JSON.stringify((await partitioned.lookup("k3")).sort((a, b) => a - b))}`);
  lines.push(`chained ${sorted(await pairs.reduceByKey(add).map(([k, v]) => [v % 7, k] as [number, string]).groupByKey(2).mapValues((ks) => [...ks].length).collect())}`);
  console.log(`spilled ${await spilledBytes()}`);
} finally {
  await sc.stop();
}

/** What Spark's metrics say the application's tasks spilled (its REST API), or "n/a" on tspark's engine. */
async function spilledBytes(): Promise<string> {
  if (!sc.sparkVersion || !sc.uiWebUrl) return "n/a";
  let bytes = 0;
  // Spark's listener bus records the tasks' metrics shortly after the jobs end.
  for (let i = 0; i < 50 && bytes === 0; i++) {
    const stages = (await (await fetch(`${sc.uiWebUrl}/api/v1/applications/${sc.applicationId}/stages`)).json()) as Array<{ diskBytesSpilled: number }>;
    bytes = stages.reduce((n, s) => n + s.diskBytesSpilled, 0);
    if (bytes === 0) await new Promise((r) => setTimeout(r, 200));
  }
  return `${bytes} bytes`;
}
