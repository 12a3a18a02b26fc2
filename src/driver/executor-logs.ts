/**
 * The newest lines each worker wrote to its stdout and stderr (console.log in tasks), kept
 * for the web UI's executor log pages, as Spark's UI links each executor's logs. Bounded per
 * executor and stream; a replaced worker's lines stay for the UI until the context stops.
 */
import type { OutputStream } from "../backend/worker-process.js";

/** Lines kept per executor and stream. */
export const LOG_LINES_KEPT = 1000;

export class ExecutorLogs {
  private readonly lines = new Map<string, string[]>();

  add(executorId: string, stream: OutputStream, line: string): void {
    const key = `${executorId}\0${stream}`;
    let kept = this.lines.get(key);
    if (!kept) this.lines.set(key, (kept = []));
    kept.push(line);
    // Trimmed once in LOG_LINES_KEPT lines, not at every line: a task may log once per record.
    if (kept.length >= 2 * LOG_LINES_KEPT) kept.splice(0, kept.length - LOG_LINES_KEPT);
  }

  /** The executor's newest lines on `stream` (empty when it wrote none). */
  tail(executorId: string, stream: OutputStream): readonly string[] {
    return (this.lines.get(`${executorId}\0${stream}`) ?? []).slice(-LOG_LINES_KEPT);
  }
}
