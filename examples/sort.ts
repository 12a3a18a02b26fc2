/**
 * Sorting: reads a text file, sorts its words with sortBy (a range-partitioned shuffle, as
 * PySpark's sort.py) and prints the first N; then ranks the distinct words by length with
 * sortBy, longest first.
 *
 *   npx tspark examples/sort.ts [path=examples/data/sample.txt] [N=20]
 */
import { SparkContext } from "tspark";

const input = process.argv[2] ?? new URL("./data/sample.txt", import.meta.url).pathname;
const firstN = Number(process.argv[3] ?? 20);

const sc = new SparkContext({ appName: "sort" });
try {
  const words = sc
    .textFile(input)
    .flatMap((line) => line.split(/\s+/))
    .filter((word) => word.length > 0);

  // Every word of the file in code-point order (as Python), spread over range partitions; take(N) reads
  // the first partitions only.
  const sorted = words.sortBy((word) => word);
  console.log(`# first ${firstN} of ${await words.count()} words, sorted`);
  for (const word of await sorted.take(firstN)) console.log(word);

  // The longest distinct words, longest first; words of one length in code-point order, so
  // that the ranking does not depend on the order records arrive in.
  const longest = await words
    .map((word) => word.toLowerCase().replace(/[^\p{L}\p{N}']/gu, ""))
    .distinct()
    .map((word) => [word.length, word] as [number, string])
    .sortBy(([n, word]) => [-n, word])
    .take(5);
  console.log(`# longest words: ${longest.map(([n, word]) => `${word} (${n})`).join(", ")}`);
} finally {
  await sc.stop();
}
