/**
 * Runs Spark tasks in tspark's worker: reads each task's header and tspark's command from
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
import { reclaimHeapBetweenTasks } from "../../worker/heap-reclaim.js";
import { createWorkerRuntime, type WorkerRuntime } from "../../worker/worker-runtime.js";
import { settingsFromEnv } from "../../worker/worker-env.js";
import { collectStream, type BatchStream } from "../../worker/batch-stream.js";
import { encodeBatch } from "../../serde/record-batch.js";
import { batchCodecOf, inBatches, type SerializerSpec } from "../../serde/record-serializers.js";
import { encodeTaggedBatch, type EmittedFrame } from "../../shuffle/shuffle-emitter.js";
import { executorInput } from "./executor-records.js";
import { jvmBarrierClient } from "./jvm-barrier.js";
import { MAX_FRAME_BYTES } from "../../serde/framing.js";
import { MAX_PIECE_BYTES, encodeRecordPieces } from "../../serde/result-pieces.js";
import { decodePartitionTask, decodeTaskCommand, planOfPartition, withInput, PROFILE_ENV, type OutputCodec, type PartitionResult, type PartitionTask } from "../task-command.js";
import { markHostedWorker } from "../../worker/task-context.js";
import { decodeMessage, encodeMessage } from "../../serde/message-codec.js";
import { SpecialLength, type WireReader, type WireWriter } from "../wire/wire.js";
import { answerEndOfStream, readTaskHeader, writeTaskEnd, writeTaskError } from "./task-header.js";
import { WorkerBroadcasts } from "./worker-broadcasts.js";
import type { ExecutorConnection } from "./executor-connection.js";
import { TsparkError } from "../../errors.js";
import { formatRecord } from "../../util/format.js";
import type { SparkMinor } from "../gateway/spark-home.js";
import { encodeTaskError } from "../task-error.js";
import { encodeTaskReport } from "../task-report.js";

/** The executor's one record: the partition and its plan. */
async function plannedInput(reader: WireReader): Promise<PartitionTask> {
  const frames = await reader.readFrames(2);
  const task = typeof frames === "number" || frames.length !== 1 ? null : frames[0];
  if (!task || (await reader.readFrames(1)) !== SpecialLength.END_OF_DATA_SECTION) {
    throw new TsparkError("PROTOCOL", "a planned task's input must be exactly one plan");
  }
  return decodePartitionTask(task);
}

function deliverTo(writer: WireWriter, codec: OutputCodec, tag: { source: number; partition: number }, serializer?: SerializerSpec): (records: BatchStream<unknown>) => Promise<number> {
  if (codec === "result") {
    return async (records) => {
      const all = await collectStream(records);
      const result: PartitionResult = { records: all };
      const bytes = encodeMessage(result, "result");
      if (bytes.length <= MAX_FRAME_BYTES) {
        writer.frame(bytes);
      } else {
        // Too large for one frame: pieces marked `more`, then the last of its records.
        const more = (slice: unknown[]) => encodeMessage({ records: slice, more: true } satisfies PartitionResult, "result");
        for (const piece of encodeRecordPieces(all, MAX_PIECE_BYTES, bytes.length, more)) {
          writer.frame(piece);
          await writer.flush();
        }
        writer.frame(encodeMessage({ records: [] } satisfies PartitionResult));
      }
      await writer.flush();
      return all.length;
    };
  }
  return async (records) => {
    // Made when records come: a custom serializer is registered as the task starts, after this is set up.
    const batches = batchCodecOf(serializer);
    let n = 0;
    for await (const batch of records) {
      if (batch.length === 0) continue;
      n += batch.length;
      if (codec === "utf8") for (const r of batch) writer.string(formatRecord(r));
      else if (codec === "buckets") for (const [p, frame] of batch as EmittedFrame[]) writer.int32(8).int64(p).frame(frame);
      else if (codec === "tagged-batches") for (const part of inBatches(batch, batches.batchSize)) writer.frame(encodeTaggedBatch(part, tag.source, tag.partition, batches));
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

/** What a worker keeps between the tasks Spark sends it on one connection (PySpark's worker reuse). */
interface ServedExecutor {
  readonly connection: ExecutorConnection;
  readonly minor: SparkMinor;
  /** Shared by every task: decoded broadcast values, closures, the spill directory. */
  readonly runtime: WorkerRuntime;
  /** The broadcast files Spark sent and the values they carry (worker-broadcasts.ts). */
  readonly broadcasts: WorkerBroadcasts;
  readonly env: NodeJS.ProcessEnv;
}

/**
 * Serves the executor on `connection`: runs the task it sends, then, while each ends cleanly,
 * the next one on the same connection, until the executor closes it or the connection is
 * retired. Resolves to the process's exit code.
 */
export async function serveExecutor(connection: ExecutorConnection, env: NodeJS.ProcessEnv): Promise<number> {
  // A worker to tspark's driver-only checks, finding added files where its executor keeps them.
  markHostedWorker();
  const localDir = env["SPARK_LOCAL_DIRS"]?.split(",")[0] ?? tmpdir();
  const served: ServedExecutor = { connection, minor: profileOf(env), runtime: createWorkerRuntime({ ...settingsFromEnv(env), localDir }), broadcasts: new WorkerBroadcasts(), env };
  const nextTask = async (): Promise<boolean> => {
    connection.waiting = true;
    const more = !connection.retiring && (await connection.reader.hasMore());
    connection.waiting = false;
    return more && !connection.retiring;
  };
  try {
    while (await nextTask()) if (!(await runTask(served))) break;
  } finally {
    connection.socket.end();
  }
  return 0;
}

/** Runs one task; resolves to whether the connection may carry another (the task succeeded and its stream ended cleanly). */
async function runTask(served: ServedExecutor): Promise<boolean> {
  const { connection, minor, broadcasts } = served;
  const { reader, writer } = connection;
  const header = await readTaskHeader(reader, minor);
  const initTime = Date.now();
  const command = decodeTaskCommand(header.command);
  const planned = planOfPartition(command.plans, header.partitionIndex);
  const { input } = planned;
  let { task } = planned;
  if (input === "plan") {
    const record = await plannedInput(reader);
    task = { partition: record.partition, plan: withInput(task.plan, record.plan) };
  }
  // Where Spark fetched the files the driver added (SparkFiles); executors name their working directory ".".
  const filesDir = resolve(header.sparkFilesDir);
  // A barrier task's BarrierTaskContext calls go to the server Spark opened for it.
  const barrier = header.isBarrier ? jvmBarrierClient(header.barrierConnInfo, header.barrierSecret, served.env) : served.runtime.barrier;
  const runtime = { ...served.runtime, filesDir, barrier };
  // The user's modules, as the driver bundled them, are among those files.
  relocateModules(command.modules.map(([url, name]) => [url, pathToFileURL(join(filesDir, name)).href]));
  // Broadcast values are files the executor wrote (Spark's broadcasts of the driver's files).
  broadcasts.update(header.broadcasts, command.broadcasts, command.broadcastEpoch ?? 0, served.runtime);
  const closures = command.closuresIn === undefined ? command.closures : closuresFrom(broadcasts.fileOf(command.closuresIn));
  const outcome = await executeTask(
    {
      taskId: Number(header.taskAttemptId),
      jobId: 0,
      stageId: header.stageId,
      // The RDD's partition (TaskContext.partitionId()), not Spark's index of the task.
      partition: task.partition,
      attempt: header.attemptNumber,
      plan: task.plan,
      closures,
      classes: command.classes,
      serializers: command.serializers ?? [],
      localProperties: Object.fromEntries(header.localProperties),
      ...(header.isBarrier ? { barrier: { numTasks: command.barrierTasks ?? 0, stageAttempt: 0 } } : {}),
    },
    runtime,
    {
      input: input === "plan" ? undefined : executorInput(reader, input, task.plan, () => runtime.spillDir()),
      deliver: deliverTo(writer, command.output, { source: command.outputSource ?? 0, partition: task.partition }, command.outputSerializer),
    },
  );
  // Every task brings all its closures: the ones kept for later tasks are bounded here.
  runtime.closures.trim(new Set(closures.map(([id]) => id)));
  if (outcome.type === "failure") {
    // As PySpark's worker: a failed task's worker is not reused.
    writeTaskError(writer, encodeTaskError({ ...outcome.error, partition: task.partition, stage: header.stageId }));
    await writer.flush();
    return false;
  }
  writeTaskEnd(writer, {
    bootMs: connection.bootTime,
    initMs: initTime,
    finishMs: Date.now(),
    memoryBytesSpilled: 0,
    diskBytesSpilled: outcome.metrics.spillBytes,
    // For the task's PythonAccumulatorV2 (accumulator-server.ts): merged once it succeeds.
    accumulatorUpdates: [encodeTaskReport({ stageId: header.stageId, metrics: outcome.metrics, accumulators: outcome.accumulators })],
  }, minor);
  await writer.flush();
  const again = await answerEndOfStream(reader, writer);
  // After the task's end is acknowledged: Spark counts the task done only then.
  if (again) reclaimHeapBetweenTasks();
  return again;
}
