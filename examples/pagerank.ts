/**
 * PageRank (PySpark's pagerank.py): each page shares its rank equally among the pages it
 * links to; a page's new rank is 0.15 + 0.85 * the sum of its shares. Shows a cached,
 * hash-partitioned link table joined with the ranks in every iteration — partitioned alike,
 * so the join does not shuffle the links again.
 *
 *   npx tspark examples/pagerank.ts [links=examples/data/links.txt] [iterations=10]
 *
 * The input has one link per line: "page neighbour".
 */
import { SparkContext } from "tspark";

const input = process.argv[2] ?? new URL("./data/links.txt", import.meta.url).pathname;
const iterations = Number(process.argv[3] ?? 10);
const partitions = 2;

const sc = new SparkContext({ appName: "pagerank" });
try {
  // [page, its distinct neighbours], kept in memory: every iteration reads it.
  const links = sc
    .textFile(input)
    .filter((line) => line.trim().length > 0)
    .map((line) => {
      const [page, neighbour] = line.trim().split(/\s+/);
      return [page!, neighbour!] as [string, string];
    })
    .distinct()
    .groupByKey(partitions)
    .mapValues((neighbours) => [...neighbours])
    .cache();

  // Every page starts with rank 1.
  let ranks = links.mapValues(() => 1.0);

  for (let i = 0; i < iterations; i++) {
    // Each page sends rank / outdegree to each neighbour.
    const contributions = links
      .join(ranks)
      .flatMap(([, [neighbours, rank]]) => neighbours.map((n) => [n, rank / neighbours.length] as [string, number]));
    ranks = contributions.reduceByKey((a, b) => a + b, partitions).mapValues((sum) => 0.15 + 0.85 * sum);
  }

  // Highest rank first; equal ranks by page name, so the order never varies.
  for (const [page, rank] of await ranks.sortBy(([page, rank]) => [-rank, page]).collect()) {
    console.log(`${page} has rank: ${rank}.`);
  }
} finally {
  await sc.stop();
}
