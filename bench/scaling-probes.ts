/**
 * What bench/scaling.ts reads to measure a job: the driver's CPU (this process: the bench
 * program is the driver), the workers' CPU (from /proc, so the figures are CPU time, not wall
 * time on a shared machine), and the bytes of the task messages the driver sends.
 */
import { readFileSync } from "node:fs";
import { median } from "./workloads/common.js";
import type { SparkContext } from "tspark";
import { runtimeOf } from "../dist/driver/runtime-registry.js";
import { WorkerProcess } from "../dist/backend/worker-process.js";
import { encodeMessage } from "../dist/serde/message-codec.js";

/** Milliseconds per clock tick in /proc/PID/stat (USER_HZ is 100 on Linux). */
const TICK_MS = 10;

/** CPU ms (user + system) the context's live workers have used since they started. */
export function workerCpuMs(sc: SparkContext): number {
  let ticks = 0;
  for (const pid of runtimeOf(sc).workerPids()) {
    // Fields after the command name ("pid (comm) state ..."): utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks * TICK_MS;
}

export interface JobCost {
  driverMs: number;
  workerMs: number;
  wallMs: number;
}

/** Runs `job` and returns the CPU it took on the driver and on the workers, and its wall time. */
export async function measure(sc: SparkContext, job: () => Promise<unknown>): Promise<JobCost> {
  const c0 = process.cpuUsage();
  const w0 = workerCpuMs(sc);
  const t0 = performance.now();
  await job();
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { driverMs: (c.user + c.system) / 1000, workerMs: workerCpuMs(sc) - w0, wallMs };
}

/**
 * Bytes of every task message sent while `job` runs (encoded a second time to count them, so
 * never while CPU is being measured).
 */
export async function taskMessageBytes(job: () => Promise<unknown>): Promise<number[]> {
  const sizes: number[] = [];
  const send = Object.getOwnPropertyDescriptor(WorkerProcess.prototype, "send")!.value as WorkerProcess["send"];
  WorkerProcess.prototype.send = function (this: WorkerProcess, msg) {
    if (msg.type === "task") sizes.push(encodeMessage(msg).length);
    send.call(this, msg);
  };
  try {
    await job();
  } finally {
    WorkerProcess.prototype.send = send;
  }
  return sizes;
}

/** "median (min-max)" of the runs, with `digits` decimals. */
export function spread(xs: number[], digits = 0): string {
  const f = (x: number) => x.toFixed(digits);
  return `${f(median(xs))} (${f(Math.min(...xs))}-${f(Math.max(...xs))})`;
}
