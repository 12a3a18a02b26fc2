/**
 * Runs one Spark task in tspark's worker: reads the task header and tspark's command from
 * the executor, streams the executor's records through executeTask (the same worker runtime
 * the local engine uses), writes the records back as frames, then the trailer Spark's
 * PythonRunner expects. A failure is reported as PySpark reports one (-2 and a message;
 * task-error.ts says how the driver gets the user's error back from it).
 */
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { relocateModules } from "../../closure/revive.js";
import { executeTask } from "../../worker/execute-task.js";
import { createWorkerRuntime } from "../../worker/worker-runtime.js";
import { settingsFromEnv } from "../../worker/worker-env.js";
import { collectStream, type BatchStream } from "../../worker/batch-stream.js";
import { encodeBatch } from "../../serde/record-batch.js";
import { encodeTaggedBatch, type EmittedFrame } from "../../shuffle/shuffle-emitter.js";
import { executorInput } from "./executor-records.js";
import { decodeTaskCommand, planOfPartition, withInput, PROFILE_ENV, type OutputCodec, type PartitionResult, type PartitionTask } from "../task-command.js";
import { markHostedWorker } from "../../worker/task-context.js";
import { decodeMessage, encodeMessage } from "../../serde/message-codec.js";
import { SpecialLength, type WireReader, type WireWriter } from "../wire/wire.js";
import { answerEndOfStream, readTaskHeader, writeTaskEnd, writeTaskError } from "./task-header.js";
import type { ExecutorConnection } from "./executor-connection.js";
import { TsparkError } from "../../errors.js";
import { formatRecord } from "../../util/format.js";
import type { SparkMinor } from "../gateway/spark-home.js";
import { encodeTaskError } from "../task-error.js";

/** The executor's one record: the partition and its plan. */
async function plannedInput(reader: WireReader): Promise<PartitionTask> {
  const frames = await reader.readFrames(2);
  const task = typeof frames === "number" || frames.length !== 1 ? null : frames[0];
  if (!task || (await reader.readFrames(1)) !== SpecialLength.END_OF_DATA_SECTION) {
    throw new TsparkError("PROTOCOL", "a planned task's input must be exactly one plan");
  }
  return decodeMessage<PartitionTask>(task);
}

function deliverTo(writer: WireWriter, codec: OutputCodec, tag: { source: number; partition: number }): (records: BatchStream<unknown>) => Promise<number> {
  if (codec === "result") {
    return async (records) => {
      const all = await collectStream(records);
      const result: PartitionResult = { records: all };
      writer.frame(encodeMessage(result));
      await writer.flush();
      return all.length;
    };
  }
  return async (records) => {
    let n = 0;
    for await (const batch of records) {
      if (batch.length === 0) continue;
      n += batch.length;
      if (codec === "utf8") for (const r of batch) writer.string(formatRecord(r));
      else if (codec === "buckets") for (const [p, frame] of batch as EmittedFrame[]) writer.int32(8).int64(p).frame(frame);
      else if (codec === "tagged-batches") writer.frame(encodeTaggedBatch(batch, tag.source, tag.partition));
      else writer.frame(encodeBatch(batch));
      await writer.flush();
    }
    return n;
  };
}

function profileOf(env: NodeJS.ProcessEnv): SparkMinor {
  const p = env[PROFILE_ENV];
  if (p !== "3.5" && p !== "4.3") throw new TsparkError("PROTOCOL", `unknown Spark protocol profile ${JSON.stringify(p)} (${PROFILE_ENV})`);
  return p;
}

/** The closures of a job whose functions were too large for its command: from their Spark broadcast's file. */
function closuresFrom(path: string | undefined): Array<[string, Uint8Array]> {
  if (path === undefined) throw new TsparkError("PROTOCOL", "the task's closures travel in a broadcast the executor did not send");
  return decodeMessage<Array<[string, Uint8Array]>>(readFileSync(path));
}

/** Runs the task on `connection`; resolves to the process's exit code. */
export async function runSparkTask(connection: ExecutorConnection, env: NodeJS.ProcessEnv): Promise<number> {
  const { reader, writer } = connection;
  const minor = profileOf(env);
  const header = await readTaskHeader(reader, minor);
  // A worker to tspark's driver-only checks, finding added files where its executor keeps them.
  markHostedWorker();
  const initTime = Date.now();
  const command = decodeTaskCommand(header.command);
  const planned = planOfPartition(command.plans, header.partitionIndex);
  const { input } = planned;
  let { task } = planned;
  if (input === "plan") {
    const record = await plannedInput(reader);
    task = { partition: record.partition, plan: withInput(task.plan, record.plan) };
  }
  const localDir = env["SPARK_LOCAL_DIRS"]?.split(",")[0] ?? tmpdir();
  // Where Spark fetched the files the driver added (SparkFiles); executors name their working directory ".".
  const filesDir = resolve(header.sparkFilesDir);
  const runtime = { ...createWorkerRuntime({ ...settingsFromEnv(env), localDir }), filesDir };
  // The user's modules, as the driver bundled them, are among those files.
  relocateModules(command.modules.map(([url, name]) => [url, pathToFileURL(join(filesDir, name)).href]));
  // Broadcast values are files the executor wrote (Spark's broadcasts of the driver's files).
  const files = new Map<bigint, string>();
  for (const b of header.broadcasts) if ("id" in b && b.path !== undefined) files.set(b.id, b.path);
  for (const [id, sparkId] of command.broadcasts) {
    const file = files.get(BigInt(sparkId));
    if (file !== undefined) runtime.broadcastFiles.set(id, file);
  }
  const outcome = await executeTask(
    {
      taskId: Number(header.taskAttemptId),
      jobId: 0,
      stageId: header.stageId,
      // The RDD's partition (TaskContext.partitionId()), not Spark's index of the task.
      partition: task.partition,
      attempt: header.attemptNumber,
      plan: task.plan,
      closures: command.closuresIn === undefined ? command.closures : closuresFrom(files.get(BigInt(command.closuresIn))),
      localProperties: Object.fromEntries(header.localProperties),
    },
    runtime,
    {
      input: input === "plan" ? undefined : executorInput(reader, input, task.plan, () => runtime.spillDir()),
      deliver: deliverTo(writer, command.output, { source: command.outputSource ?? 0, partition: task.partition }),
    },
  );
  if (outcome.type === "failure") {
    writeTaskError(writer, encodeTaskError({ ...outcome.error, partition: task.partition, stage: header.stageId }));
    await writer.flush();
    connection.socket.end();
    return 0;
  }
  writeTaskEnd(writer, {
    bootMs: connection.bootTime,
    initMs: initTime,
    finishMs: Date.now(),
    memoryBytesSpilled: 0,
    diskBytesSpilled: outcome.metrics.spillBytes,
    // The task's accumulator additions, for its PythonAccumulatorV2 (accumulator-server.ts): merged once it succeeds.
    accumulatorUpdates: outcome.accumulators.length > 0 ? [encodeMessage(outcome.accumulators)] : [],
  }, minor);
  await writer.flush();
  await answerEndOfStream(reader, writer);
  connection.socket.end();
  return 0;
}
