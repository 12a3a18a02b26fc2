import { test } from "node:test";
import assert from "node:assert/strict";
import { SparkConf } from "../../api/spark-conf.js";
import { sparkConfOf } from "./spark-session.js";
import { sparkJobError } from "./spark-jobs.js";
import { JvmError } from "../py4j/py4j-client.js";
import type { TsparkError } from "../../errors.js";

test("Spark's settings pass through under Spark's names; tspark's own stay home, shared ones go both ways", () => {
  const conf = new SparkConf(false).setAll({
    "spark.executor.memory": "2g", // SparkConf keeps it as tspark.executor.memory: tspark's own (the Node heap)
    "spark.sql.shuffle.partitions": "8",
    "spark.executorEnv.TZ": "UTC",
    "tspark.task.maxFailures": "2",
    "spark.speculation": "true",
    "tspark.speculation.multiplier": "2",
    "tspark.worker.memory": "64m",
    "tspark.master": "yarn",
    "tspark.app.name": "x",
  });
  assert.deepEqual(new Map(sparkConfOf(conf.getAll())), new Map([
    ["spark.sql.shuffle.partitions", "8"],
    ["spark.executorEnv.TZ", "UTC"],
    ["spark.task.maxFailures", "2"],
    ["spark.speculation", "true"],
    ["spark.speculation.multiplier", "2"],
  ]));
});

test("a StackOverflowError in Spark's JVM (a lineage too long for Spark's own recursion) says to checkpoint", () => {
  const err = sparkJobError("collect at app.ts:9", new JvmError("PythonRDD.runJob", "java.lang.StackOverflowError", undefined)) as TsparkError;
  assert.equal(err.code, "JVM_ERROR");
  assert.match(err.message, /^Job "collect at app\.ts:9" failed on Spark: the RDD's lineage is too long for the JVM's stack \(java\.lang\.StackOverflowError\)\. Checkpoint it every few dozen iterations: sc\.setCheckpointDir\(dir\) once, then rdd\.checkpoint\(\)/);
});
