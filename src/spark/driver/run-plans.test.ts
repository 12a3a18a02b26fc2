import assert from "node:assert/strict";
import { describe, it } from "node:test";

import type { PartitionPlan, SparkInputPartition } from "../../scheduler/plan.js";
import type { PartitionTask } from "../task-command.js";
import { partitionResults, withReadableInput, type TextSplit } from "./run-plans.js";
import { encodeMessage } from "../../serde/message-codec.js";

const lines = (rdd: string, partition: number): SparkInputPartition => ({ rdd, partitions: 2, partition, records: "lines" });
const leaf = (from: SparkInputPartition): PartitionPlan => ({ kind: "executor-input", from });
const narrow = (parent: PartitionPlan): PartitionPlan => ({ kind: "narrow", parent, partitionIndex: 0, steps: [] });
const task = (plan: PartitionPlan, partition = 0): PartitionTask => ({ partition, plan });

function splitsOf(urls: Record<string, string>): (rdd: string) => TextSplit[] {
  return (rdd) => [{ url: urls[rdd]!, start: 0, length: 100 }, { url: urls[rdd]!, start: 100, length: 50 }];
}

describe("withReadableInput", () => {
  it("with readLocalFiles, a task over one split of a local text file reads the split itself (the JVM hands it nothing)", () => {
    const [got] = withReadableInput([task(narrow(leaf(lines("r1", 1))), 1)], splitsOf({ r1: "file:/data/a.txt" }), true);
    assert.deepEqual(got, task(narrow({ kind: "text-file", split: { path: "/data/a.txt", start: 100, length: 50 } }), 1));
  });

  it("without readLocalFiles, or for a file elsewhere or compressed otherwise than gzip, Spark's reader hands the lines over", () => {
    const t = task(narrow(leaf(lines("r1", 0))));
    assert.deepEqual(withReadableInput([t], splitsOf({ r1: "file:/data/a.txt" }), false), [t]);
    assert.deepEqual(withReadableInput([t], splitsOf({ r1: "hdfs://nn/data/a.txt" }), true), [t]);
    assert.deepEqual(withReadableInput([t], splitsOf({ r1: "file:/data/a.txt.bz2" }), true), [t]);
    const gz = withReadableInput([t], splitsOf({ r1: "file:/data/a.txt.gz" }), true);
    assert.deepEqual(gz, [task(narrow({ kind: "text-file", split: { path: "/data/a.txt.gz", start: 0, length: 100 } }))]);
  });

  it("a task over several splits reads them itself whatever readLocalFiles says, and refuses files it cannot read", () => {
    const both = task({ kind: "concat", parents: [leaf(lines("r1", 0)), leaf(lines("r1", 1))] });
    const [got] = withReadableInput([both], splitsOf({ r1: "file:/data/a.txt" }), false);
    assert.deepEqual(got!.plan, { kind: "concat", parents: [{ kind: "text-file", split: { path: "/data/a.txt", start: 0, length: 100 } }, { kind: "text-file", split: { path: "/data/a.txt", start: 100, length: 50 } }] });
    assert.throws(() => withReadableInput([both], splitsOf({ r1: "hdfs://nn/a.txt" }), true), /plain or gzip files on this machine's filesystem, not hdfs:\/\/nn\/a\.txt/);
  });

  it("lines in another encoding than UTF-8 are read by the worker whatever readLocalFiles says, and only from files it can read", () => {
    const latin = (partition: number): SparkInputPartition => ({ ...lines("r1", partition), encoding: "latin1" });
    const [got] = withReadableInput([task(narrow(leaf(latin(1))), 1)], splitsOf({ r1: "file:/data/a.txt" }), false);
    assert.deepEqual(got, task(narrow({ kind: "text-file", split: { path: "/data/a.txt", start: 100, length: 50 }, encoding: "latin1" }), 1));
    const both = task({ kind: "concat", parents: [leaf(latin(0)), leaf(latin(1))] });
    assert.deepEqual(withReadableInput([both], splitsOf({ r1: "file:/data/a.txt" }), true)[0]!.plan, { kind: "concat", parents: [{ kind: "text-file", split: { path: "/data/a.txt", start: 0, length: 100 }, encoding: "latin1" }, { kind: "text-file", split: { path: "/data/a.txt", start: 100, length: 50 }, encoding: "latin1" }] });
    assert.throws(() => withReadableInput([task(leaf(latin(0)))], splitsOf({ r1: "hdfs://nn/a.txt" }), true), /textFile with encoding "latin1" reads files on the executors' filesystem only .* not hdfs:\/\/nn\/a\.txt: Spark's Hadoop readers give UTF-8 lines/);
  });

  it("shuffle output is left to Spark", () => {
    const shuffled = task(leaf({ rdd: "s1", partitions: 2, partition: 0, records: "tagged-batches", tagged: { source: 1 } }));
    assert.deepEqual(withReadableInput([shuffled], () => assert.fail("no splits asked for"), true), [shuffled]);
  });
});

describe("partitionResults", () => {
  it("gives one result per partition: a frame each, or a large result's pieces joined in order", () => {
    const frame = (records: unknown[], more?: true) => encodeMessage(more ? { records, more } : { records });
    const frames = [frame([1]), frame([2, 3], true), frame([4], true), frame([5]), frame([])];
    assert.deepEqual(partitionResults(frames), [{ records: [1] }, { records: [2, 3, 4, 5] }, { records: [] }]);
    assert.throws(() => partitionResults([frame([1], true)]), /ended in the middle of its pieces/);
  });
});
