/**
 * Lineages that reach one RDD by two paths (an iterative job joining a cached table with
 * its own descendants, as PageRank does): every shuffle a stage reads must have run first.
 */
import test, { after } from "node:test";
import assert from "node:assert/strict";
import { contractContext } from "../testing/contract-context.js";

const { sc } = contractContext("shared-lineage-test");
after(() => sc.stop());

test("a shuffle reached through two paths runs before the stages that read it", async () => {
  const links = sc
    .parallelize<[string, string]>([["a", "b"], ["b", "a"], ["a", "c"], ["c", "a"]])
    .groupByKey(2)
    .mapValues((vs) => [...vs])
    .cache();
  let ranks = links.mapValues(() => 1);
  // Two rounds: the second join reads `links` directly and through the first round's ranks.
  for (let i = 0; i < 2; i++) {
    const contribs = links.join(ranks).flatMap(([, [ns, r]]) => ns.map((n) => [n, r / ns.length] as [string, number]));
    ranks = contribs.reduceByKey((a, b) => a + b, 2);
  }
  const got = Object.fromEntries(await ranks.collect());
  // Round one gives a: 2, b: 0.5, c: 0.5; round two sends them back.
  assert.deepEqual(got, { a: 1, b: 1, c: 1 });
});
