import { test } from "node:test";
import assert from "node:assert/strict";
import { SparkConf } from "../../api/spark-conf.js";
import { sparkConfOf } from "./spark-session.js";

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
