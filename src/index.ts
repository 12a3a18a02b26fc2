/**
 * tspark: Spark-style distributed data processing for TypeScript.
 * ```ts
 * import { SparkContext } from "tspark";
 * const sc = new SparkContext({ master: "local[2]", appName: "demo" });
 * console.log(await sc.parallelize([1, 2, 3]).map((x) => x * 2).collect());
 * await sc.stop();
 * ```
 */
export { SparkContext, type SparkContextOptions, type TextFileOptions } from "./api/context.js";
export { SparkConf } from "./api/spark-conf.js";
export { RDD } from "./api/rdd.js";
export { StatCounter } from "./api/stat-counter.js";
export type { BoundedDouble } from "./api/bounded-double.js";
export type { LineEncoding } from "./io/line-reader.js";
export { StorageLevel } from "./api/storage-level.js";
export { Serializer, TsparkSerializer, JSONSerializer, CustomSerializer, type SerializerOptions, type RecordEncoding } from "./api/serializers.js";
export { Accumulator, type AccumulatorParam } from "./api/accumulator.js";
export { Broadcast } from "./api/broadcast.js";
export { TaskContext } from "./api/task-context.js";
export { BarrierTaskContext, RDDBarrier } from "./api/barrier.js";
export { SparkFiles } from "./api/spark-files.js";
export { StatusTracker, type SparkJobInfo, type SparkStageInfo } from "./api/status-tracker.js";
export { Partitioner, RangePartitioner } from "./api/partitioner.js";
export { portableHash } from "./shuffle/portable-hash.js";
export { CONFIG_KEYS } from "./config/keys.js";
// Types CONFIG_KEYS' parsers return or are (each key's `parse`).
export type { ValueParser } from "./config/values.js";
export type { MasterUrl, LocalMaster, SparkMaster } from "./config/master.js";
export { TsparkError, type TsparkErrorCode } from "./errors.js";
export { VERSION } from "./version.js";
// Shapes the public methods return (StatCounter.asDict/toJSON, StatusTracker.getExecutorInfos).
export type { StatCounterDict, StatCounterJSON } from "./api/stat-counter.js";
export type { ExecutorInfo } from "./backend/backend.js";
