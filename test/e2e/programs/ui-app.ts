/**
 * A program for the web UI's end-to-end test: a shuffle job, a cached RDD, a job that fails
 * with a user error; it prints its UI address, then runs one more job and stops when told
 * on stdin ("more", "stop").
 */
import { createInterface } from "node:readline";
import { SparkContext } from "tspark";

const sc = new SparkContext({ appName: "ui <e2e>" });
const lines = sc.parallelize(["the quick brown fox", "jumps over the lazy dog", "the end"], 3);
const seen = sc.accumulator(0);
const counts = lines.flatMap((l) => {
  seen.add(1);
  console.log(`task reads <${l}>`);
  return l.split(" ");
}).map((w) => [w, 1] as [string, number]).reduceByKey((a, b) => a + b);
console.log(JSON.stringify(await counts.collect()));

const words = lines.flatMap((l) => l.split(" ")).setName("cached words").cache();
console.log(await words.count());
console.log(await words.count());

sc.setJobDescription("parse the numbers");
try {
  await sc.parallelize(["1", "2", "x13", "4"], 2).map((s) => {
    const n = Number(s);
    if (Number.isNaN(n)) throw new Error(`bad record <${s}>`);
    return n;
  }).collect();
} catch (err) {
  console.log(`failed: ${(err as Error).message.split("\n")[0]}`);
}
console.log(`UI ${sc.uiWebUrl}`);

for await (const line of createInterface({ input: process.stdin })) {
  if (line === "more") {
    sc.setJobDescription("late job");
    console.log(`late ${await sc.range(100, undefined, 1, 4).sum()}`);
  } else if (line === "stop") break;
}
await sc.stop();
console.log("stopped");
