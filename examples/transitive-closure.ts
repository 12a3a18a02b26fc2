/**
 * Transitive closure of a graph (PySpark's transitive_closure.py): repeatedly joins the
 * paths found so far with the edges, adding every path x -> z for paths x -> y and
 * edges y -> z, until no new path appears. Shows an iterative job with cache(), join,
 * union and distinct. The graph is random but seeded, so the output is always the same.
 *
 *   npx tspark examples/transitive-closure.ts [partitions=2] [edges=200] [vertices=100]
 */
import { SparkContext } from "tspark";
import { mulberry32 } from "./lib/random.ts";

const partitions = Number(process.argv[2] ?? 2);
const numEdges = Number(process.argv[3] ?? 200);
const numVertices = Number(process.argv[4] ?? 100);

/** numEdges distinct edges between distinct vertices, from a fixed seed. */
function generateGraph(): Array<[number, number]> {
  const random = mulberry32(42);
  const edges = new Map<string, [number, number]>();
  while (edges.size < numEdges) {
    const src = Math.floor(random() * numVertices);
    const dst = Math.floor(random() * numVertices);
    if (src !== dst) edges.set(`${src} ${dst}`, [src, dst]);
  }
  return [...edges.values()];
}

const sc = new SparkContext({ appName: "transitive-closure" });
try {
  let tc = sc.parallelize(generateGraph(), partitions).cache();

  // Linear transitive closure: each round grows every path by one edge in front. Paths are
  // keyed by their start, the reversed edges by their end, so a join meets them at y.
  const edges = tc.map(([x, y]) => [y, x] as [number, number]).cache();
  let iterations = 0;
  let nextCount = await tc.count();
  let oldCount: number;
  do {
    oldCount = nextCount;
    // Paths y -> z joined with edges x -> y give paths x -> z.
    const newEdges = tc.join(edges).map(([, [z, x]]) => [x, z] as [number, number]);
    const previous = tc;
    tc = tc.union(newEdges).distinct(partitions).cache();
    nextCount = await tc.count();
    previous.unpersist();
    iterations++;
  } while (nextCount !== oldCount);

  console.log(`TC has ${nextCount} edges (${iterations} iterations)`);
} finally {
  await sc.stop();
}
