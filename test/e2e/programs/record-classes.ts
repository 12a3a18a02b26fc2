// Records keep their class (issue 16): a class of the program, of one of its modules and of an
// npm package, across a shuffle, collect and a disk cache; then a record that cannot be
// serialized. Prints one line per check: the same on every engine (test/e2e/spark-engine.test.ts).
import { SparkContext, StorageLevel } from "tspark";
import { Segment } from "./helpers/geometry.ts";
import * as acorn from "acorn";

const { Position } = acorn as unknown as { Position: new (line: number, column: number) => { line: number; column: number; offset(n: number): { column: number } } };

class Point {
  constructor(
    public x: number,
    public y: number,
  ) {}
  norm(): number {
    return Math.hypot(this.x, this.y);
  }
}

const sc = new SparkContext({ appName: "record-classes" });
try {
  const pts = sc.parallelize([1, 2, 3, 4], 2).map((i) => new Point(3 * i, 4 * i));
  console.log("collect:", (await pts.collect()).map((p) => `${p instanceof Point} ${p.norm()}`).join(", "));
  const grouped = await pts.keyBy((p) => p.x % 2).groupByKey().mapValues((ps) => [...ps].map((p) => p.norm()).sort((a, b) => a - b)).sortByKey().collect();
  console.log("groupByKey:", JSON.stringify(grouped));
  const segments = await sc.parallelize([1, 5, 2, 9], 2).map((i) => [i % 2, new Segment(i, i + 1)] as [number, Segment]).reduceByKey((a, b) => a.join(b)).sortByKey().collect();
  console.log("module class:", segments.map(([k, s]) => `${k} ${s instanceof Segment} ${s.length}`).join(", "));
  const cached = sc.parallelize([1, 2, 3], 3).map((i) => new Position(i, i)).persist(StorageLevel.DISK_ONLY);
  await cached.count();
  console.log("package class from disk:", (await cached.map((p) => p.offset(10).column).collect()).join(" "), (await cached.collect()).every((p) => p instanceof Position));
  await sc.parallelize([1], 1).map((i) => ({ i, callback: () => i })).collect().catch((e: Error & { code?: string }) => console.log("unserializable:", e.code, /at result\.records\[0\]\.callback/.test(e.message), /record-classes\.ts:\d+/.test(e.message)));
} finally {
  await sc.stop();
}
