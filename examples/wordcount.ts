/**
 * Word count: the classic first program. Reads text files (a path, directory or glob given
 * as the first argument), splits lines into words, and prints the most frequent ones.
 *
 *   npx tspark examples/wordcount.ts examples/data/sample.txt [topN]
 */
import { SparkContext } from "tspark";

const input = process.argv[2] ?? new URL("./data/sample.txt", import.meta.url).pathname;
const topN = Number(process.argv[3] ?? 10);
const minLength = 3; // captured by the filter below and shipped to the workers

const sc = new SparkContext({ appName: "wordcount" });
try {
  const counts = sc
    .textFile(input)
    .flatMap((line) => line.toLowerCase().split(/[^\p{L}\p{N}']+/u))
    .filter((word) => word.length >= minLength)
    .map((word) => [word, 1] as [string, number])
    .reduceByKey((a, b) => a + b);
  // Most frequent first; ties in alphabetical order.
  const top = await counts.takeOrdered(topN, ([word, n]) => [-n, word]);
  for (const [word, n] of top) console.log(`${String(n).padStart(6)}  ${word}`);
} finally {
  await sc.stop();
}
