/**
 * K-means clustering (PySpark's kmeans.py): starts from K sampled points, then repeatedly
 * assigns every point to its closest center and moves each center to the mean of its
 * points, until the centers move less than `convergeDist` in total. Shows a cached input
 * read by many jobs, a broadcast of the current centers, reduceByKey, and takeSample with a
 * seed (so every run starts from the same centers).
 *
 *   npx tspark examples/kmeans.ts [points=examples/data/points.txt] [K=3] [convergeDist=0.0001]
 *
 * The input has one point per line: space-separated coordinates.
 */
import { SparkContext } from "tspark";

const input = process.argv[2] ?? new URL("./data/points.txt", import.meta.url).pathname;
const K = Number(process.argv[3] ?? 3);
const convergeDist = Number(process.argv[4] ?? 0.0001);

type Point = number[];

function squaredDistance(a: Point, b: Point): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d += (a[i]! - b[i]!) ** 2;
  return d;
}

function closestPoint(p: Point, centers: Point[]): number {
  let best = 0;
  for (let i = 1; i < centers.length; i++) if (squaredDistance(p, centers[i]!) < squaredDistance(p, centers[best]!)) best = i;
  return best;
}

const sc = new SparkContext({ appName: "kmeans" });
try {
  // Two partitions whatever the --master, so the seeded sample (and so the result) is too.
  const data = sc
    .textFile(input, 2)
    .filter((line) => line.trim().length > 0)
    .map((line) => line.trim().split(/\s+/).map(Number))
    .cache();

  const centers = await data.takeSample(false, K, 42);
  let iterations = 0;
  for (let moved = Infinity; moved > convergeDist; iterations++) {
    const current = sc.broadcast(centers);
    // [center index, [sum of its points, number of points]]
    const stats = data
      .map((p) => [closestPoint(p, current.value), [p, 1]] as [number, [Point, number]])
      .reduceByKey(([s1, n1], [s2, n2]): [Point, number] => [s1.map((x, i) => x + s2[i]!), n1 + n2]);
    const newCenters = (await stats.collect()).map(([i, [sum, n]]) => [i, sum.map((x) => x / n)] as [number, Point]);
    moved = newCenters.reduce((d, [i, c]) => d + squaredDistance(centers[i]!, c), 0);
    for (const [i, c] of newCenters) centers[i] = c;
    current.destroy();
  }

  // Sorted by coordinates, so the output does not depend on which points were sampled first.
  centers.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
  console.log(`Final centers (${iterations} iterations):`);
  for (const c of centers) console.log(c.map((x) => x.toFixed(4)).join(" "));
} finally {
  await sc.stop();
}
