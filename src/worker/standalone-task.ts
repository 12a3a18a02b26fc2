/**
 * A task scope outside any worker process, for running steps in-process (unit tests,
 * tools): attempt 0 of task 0, on a fresh worker runtime with no driver to talk to.
 */
import { TaskScope } from "./task-context.js";
import { createWorkerRuntime } from "./worker-runtime.js";
import { settingsFromEnv, type WorkerSettings } from "./worker-env.js";

export function standaloneTaskScope(settings: WorkerSettings = settingsFromEnv()): TaskScope {
  return new TaskScope({ stageId: 0, partitionId: 0, attemptNumber: 0, taskAttemptId: 0, localProperties: {} }, createWorkerRuntime(settings));
}
