/**
 * The console progress bar of running stages, in the spirit of Spark's ConsoleProgressBar:
 * `[Stage 3:=====>          (12 + 2) / 40]`, redrawn in place on stderr every 200 ms,
 * showing only stages that have run for more than 500 ms (short jobs draw nothing), and
 * cleared when a job ends. The context starts it only when stderr is a terminal and
 * `tspark.ui.showConsoleProgress` is not false.
 */
import type { StatusTracker, SparkStageInfo } from "../api/status-tracker.js";
import { setLogSink } from "../util/log.js";

export type StageProgress = Pick<SparkStageInfo, "stageId" | "numTasks" | "numActiveTasks" | "numCompletedTasks">;

/** At most this many stages share the line (as Spark). */
const MAX_STAGES = 3;

/** The bar for `stages` (at most 3 shown) in `width` columns; "" when there is none. */
export function renderProgressBar(stages: readonly StageProgress[], width: number): string {
  const shown = stages.slice(0, MAX_STAGES);
  if (shown.length === 0) return "";
  const each = Math.floor(width / shown.length);
  return shown.map((s) => {
    const header = `[Stage ${s.stageId}:`;
    const tailer = `(${s.numCompletedTasks} + ${s.numActiveTasks}) / ${s.numTasks}]`;
    const w = each - header.length - tailer.length;
    if (w <= 0) return header + tailer;
    const done = s.numTasks === 0 ? w : Math.min(w, Math.floor((w * s.numCompletedTasks) / s.numTasks));
    const bar = "=".repeat(done) + (done < w ? ">" + " ".repeat(w - done - 1) : "");
    return header + bar + tailer;
  }).join("");
}

/** Ids of the active stages first seen at least `delayMs` before `now`, oldest first. */
export function stagesDue(active: readonly number[], firstSeen: Map<number, number>, now: number, delayMs: number): number[] {
  for (const id of [...firstSeen.keys()]) if (!active.includes(id)) firstSeen.delete(id);
  for (const id of active) if (!firstSeen.has(id)) firstSeen.set(id, now);
  return [...active].filter((id) => now - firstSeen.get(id)! >= delayMs).sort((a, b) => a - b);
}

export interface ProgressOutput {
  write(text: string): unknown;
  readonly columns?: number;
}

export class ConsoleProgressBar {
  private readonly firstSeen = new Map<number, number>();
  private readonly timer: NodeJS.Timeout;
  private readonly restoreLog: (line: string) => void;
  /** What is on the line now ("" = nothing drawn). */
  private drawn = "";

  constructor(private readonly tracker: StatusTracker, private readonly out: ProgressOutput, private readonly updateMs = 200, private readonly delayMs = 500) {
    this.timer = setInterval(() => this.refresh(), this.updateMs);
    this.timer.unref(); // never keeps a finished program alive
    // A log line clears the bar first (the next refresh draws it again below the line).
    this.restoreLog = setLogSink((line) => this.writeAbove(line));
  }

  /** Writes text that ends a line (a log line, a worker's output) where the bar is, clearing it first. */
  writeAbove(text: string): void {
    this.clear();
    this.out.write(text);
  }

  private refresh(): void {
    const due = stagesDue(this.tracker.getActiveStageIds(), this.firstSeen, Date.now(), this.delayMs);
    const stages = due.map((id) => this.tracker.getStageInfo(id)).filter((s): s is SparkStageInfo => s !== undefined);
    const width = Number(process.env["COLUMNS"]) || this.out.columns || 80;
    const line = renderProgressBar(stages, width - 1); // the last column would wrap on some terminals
    if (line === this.drawn) return;
    if (line === "") return this.clear();
    this.out.write(`\r${line}${" ".repeat(Math.max(0, this.drawn.length - line.length))}`);
    this.drawn = line;
  }

  /** Removes the bar from the line (a job ended, or a log line is about to be written). */
  clear(): void {
    if (this.drawn === "") return;
    this.out.write(`\r${" ".repeat(this.drawn.length)}\r`);
    this.drawn = "";
  }

  stop(): void {
    clearInterval(this.timer);
    this.clear();
    setLogSink(this.restoreLog);
  }
}
