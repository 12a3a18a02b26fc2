/**
 * sample() and randomSplit() inside tasks: a per-partition sampler seeded from the user's
 * seed and the partition index, applied batch by batch (util/sampling.ts).
 */
import { type BatchStream, mapBatches, reduceRecords } from "../batch-stream.js";
import { registerStep } from "./step-registry.js";
import { createSampler, RangeSampler, StratifiedSampler, Reservoir, Random, seedForPartition, type PartitionSampler } from "../../util/sampling.js";
import { ValueMap } from "../../util/value-map.js";

function sampled(input: BatchStream<unknown>, sampler: PartitionSampler<unknown>): BatchStream<unknown> {
  return mapBatches(input, (b) => sampler.sampleBatch(b));
}

registerStep("sample", (input, ctx) => {
  const { withReplacement, fraction, seed } = ctx.args;
  return sampled(input, createSampler(withReplacement, fraction, seed, ctx.partitionIndex));
});

registerStep("rangeSample", (input, ctx) => {
  const { lb, ub, seed } = ctx.args;
  return sampled(input, new RangeSampler(lb, ub, seed, ctx.partitionIndex));
});

/** sampleByKey: fractions per key, given as [key, fraction] entries (keys equal by value). */
registerStep("sampleByKey", (input, ctx) => {
  const { withReplacement, fractions, seed } = ctx.args;
  const byKey = new ValueMap<unknown, number>();
  for (const [k, f] of fractions) byKey.set(k, f);
  return sampled(input, new StratifiedSampler<unknown, unknown>(withReplacement, (k) => byKey.get(k), seed, ctx.partitionIndex) as PartitionSampler<unknown>);
});

/** sortByKey's sketch of a partition of [key, value] records: one [record count, sampled keys] record. */
registerStep("sketchKeys", (input, ctx) => {
  const { size, seed } = ctx.args;
  const keys = new Reservoir<unknown>(size, new Random(seedForPartition(seed, ctx.partitionIndex)));
  return reduceRecords(input, (r) => keys.add((r as [unknown])[0]), () => [[keys.count, keys.sample]]);
});
