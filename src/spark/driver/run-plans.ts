/**
 * Runs tspark plans as one Spark job: each plan is the one record of its Spark partition
 * (read by readRDDFromFile), which tspark's worker on an executor runs, answering with the
 * partition's result.
 */
import type { PartitionPlan } from "../../scheduler/plan.js";
import type { JobPlanner } from "../../scheduler/job-planner.js";
import { encodeMessage, decodeMessage } from "../../serde/message-codec.js";
import { TsparkError } from "../../errors.js";
import type { JavaObject, Py4JClient } from "../py4j/py4j-client.js";
import type { SparkMinor } from "../gateway/spark-home.js";
import { encodeTaskCommand, type PartitionResult } from "../task-command.js";
import { collectFrames, parallelizeFrames, workerRdd } from "./jvm-rdds.js";

export interface SparkTarget {
  client: Py4JClient;
  jsc: JavaObject;
  workerExec: string;
  minor: SparkMinor;
}

export async function runPlans({ client, jsc, workerExec, minor }: SparkTarget, plans: PartitionPlan[], planner: JobPlanner): Promise<PartitionResult[]> {
  const command = encodeTaskCommand({ input: "plan", output: "result", plans: { all: { kind: "executor-input" } }, closures: [...planner.closureBytes] });
  const input = await parallelizeFrames(client, jsc, plans.map((p) => encodeMessage(p)), plans.length);
  const results = await workerRdd(client, input, { command, workerExec, minor });
  const frames = await collectFrames(client, results);
  if (frames.length !== plans.length) throw new TsparkError("PROTOCOL", `Spark returned ${frames.length} partition results for ${plans.length} partitions`);
  return frames.map((f) => decodeMessage<PartitionResult>(f));
}
