/** Creates the event log directory if missing (Spark's event log on Spark, tspark's otherwise). */
export function makeEventLogDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new TsparkError("CONFIG", `cannot create the event log directory ${dir}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * The event log: every application event as one JSON line in `<dir>/<applicationId>`,
 * read back by `tspark history`. Lines are buffered and written once per tick (a task
 * never waits on the disk), and written synchronously at stop and at process exit, so a
 * driver that exits through a signal still leaves every event it posted. A log cut short
 * (the driver was killed mid-write) replays up to its last whole line.
 */
import { openSync, writeSync, closeSync, mkdirSync, readFileSync, statSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { TsparkEvent } from "../scheduler/listener-bus.js";
import { AppStatusStore } from "./status-store.js";
import { TsparkError } from "../errors.js";
import { log } from "../util/log.js";

export class EventLogWriter {
  readonly path: string;
  private fd: number | undefined;
  private buffered: string[] = [];
  private scheduled = false;
  private readonly onExit = () => this.close();

  constructor(dir: string, appId: string) {
    makeEventLogDir(dir);
    // Never appends to another application's log: two drivers started in the same
    // millisecond (the same application id) get "<id>", "<id>-2", ...
    for (let n = 1; ; n++) {
      const path = join(dir, n === 1 ? appId : `${appId}-${n}`);
      try {
        this.fd = openSync(path, "wx", 0o600); // the configuration it records may hold secrets
        this.path = path;
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST" || n === 100) {
          throw new TsparkError("CONFIG", `cannot create the event log ${path}: ${(err as Error).message}`, { cause: err });
        }
      }
    }
    process.once("exit", this.onExit);
  }

  readonly listener = (e: TsparkEvent): void => {
    if (this.fd === undefined) return;
    this.buffered.push(JSON.stringify(e) + "\n");
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  };

  flush(): void {
    this.scheduled = false;
    if (this.fd === undefined || this.buffered.length === 0) return;
    const text = this.buffered.join("");
    this.buffered = [];
    try {
      writeSync(this.fd, text);
    } catch (err) {
      // A full disk must not kill the driver mid-job: the log is given up, the job goes on.
      log("WARN", "eventLog", `the event log ${this.path} stops here: ${(err as Error).message}`);
      const fd = this.fd;
      this.fd = undefined;
      process.removeListener("exit", this.onExit);
      try {
        closeSync(fd);
      } catch {
        /* already unusable */
      }
    }
  }

  /** Writes what is buffered and closes the file. Safe to call twice. */
  close(): void {
    if (this.fd === undefined) return;
    this.flush();
    closeSync(this.fd);
    this.fd = undefined;
    process.removeListener("exit", this.onExit);
  }
}

export interface ReplayedLog {
  store: AppStatusStore;
  path: string;
  events: number;
  /** Lines that were not whole JSON events (a cut-off last line, corruption). */
  badLines: number;
  /** The application never logged its end (it crashed, was killed, or is still running). */
  incomplete: boolean;
}

/** What a replayed log's reader should know: that it has no end, that lines were unreadable. */
export function replayNotes(log: Pick<ReplayedLog, "incomplete" | "badLines">): string[] {
  return [
    log.incomplete ? "the log has no application end (it crashed, was killed, or still runs): showing what it logged" : "",
    log.badLines ? `${log.badLines} unreadable line(s) skipped` : "",
  ].filter(Boolean);
}

/** The banner of a replayed application's pages. */
export function historyBanner(log: ReplayedLog): string {
  const app = log.store.app!;
  const notes = replayNotes(log);
  return `History of ${app.appName} (${app.appId}) from ${log.path}${notes.length ? `; ${notes.join("; ")}` : ""}`;
}

/** The logs `tspark history <path>` serves: the file itself, or every file of a directory, newest first. */
export function eventLogPaths(path: string): string[] {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new TsparkError("INVALID_ARGUMENT", `no event log at ${path}`);
  }
  if (!st.isDirectory()) return [path];
  const logs = readdirSync(path)
    .map((f) => join(path, f))
    .filter((f) => statSync(f).isFile())
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (logs.length === 0) throw new TsparkError("INVALID_ARGUMENT", `no event logs in ${path}`);
  return logs;
}

/** Replays an event log into a fresh status store. */
export function replayEventLog(path: string): ReplayedLog {
  const store = new AppStatusStore();
  let events = 0;
  let badLines = 0;
  let ended = false;
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (line.trim() === "") continue;
    let e: TsparkEvent;
    try {
      e = JSON.parse(line) as TsparkEvent;
    } catch {
      badLines++;
      continue;
    }
    if (typeof e !== "object" || e === null || typeof e.event !== "string") {
      badLines++;
      continue;
    }
    store.apply(e);
    events++;
    if (e.event === "applicationEnd") ended = true;
  }
  if (events === 0 || !store.app) throw new TsparkError("INVALID_ARGUMENT", `${path} is not a tspark event log (no applicationStart event)`);
  return { store, path, events, badLines, incomplete: !ended };
}
