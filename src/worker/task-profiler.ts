/**
 * CPU profiles of tasks (tspark.worker.profileDir), on either engine: V8's sampling profiler,
 * started in the worker itself for the span of one task, written as a `.cpuprofile` that
 * Chrome DevTools and speedscope open. Node's `--cpu-prof` cannot do this on Spark: Spark
 * starts the workers, NODE_OPTIONS refuses the flag, and a worker's profile would be written
 * only at an exit that Spark's SIGKILL never allows.
 */
import { Session } from "node:inspector/promises";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

let session: Session | undefined;

async function profiler(): Promise<Session> {
  if (!session) {
    session = new Session();
    session.connect();
    await session.post("Profiler.enable");
  }
  return session;
}

/** The file a task's profile is written to, named so that a directory of them sorts by stage and partition. */
export function profileFileName(t: { stageId: number; partition: number; attempt: number; taskId: number }): string {
  return `stage-${t.stageId}-partition-${t.partition}-attempt-${t.attempt}-task-${t.taskId}.cpuprofile`;
}

/** Runs `work` under the profiler and writes its profile to `dir/name`, whether it succeeds or throws. */
export async function profiled<T>(dir: string, name: string, work: () => Promise<T>): Promise<T> {
  const s = await profiler();
  await s.post("Profiler.start");
  try {
    return await work();
  } finally {
    const { profile } = await s.post("Profiler.stop");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, name), JSON.stringify(profile));
  }
}
