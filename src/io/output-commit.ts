/**
 * All-or-nothing job output, after Hadoop's FileOutputCommitter (algorithm 1):
 *
 *   <out>/_temporary/<job>/_attempt_<p>_<a>/part-0000p   an attempt writes here
 *   <out>/_temporary/<job>/task_<p>/part-0000p           its commit: one directory rename
 *   <out>/part-0000p ... then <out>/_SUCCESS              the job commit (driver), _SUCCESS last
 *
 * A task commit is a rename of the attempt directory onto task_<p>; rename(2) is atomic and
 * fails onto a non-empty directory, so the first attempt of a partition to commit wins and
 * later (speculative or retried) attempts are discarded. An aborted job removes <out>,
 * which did not exist before the job: a failed job never leaves partial output and never
 * clobbers an existing directory. Everything lives inside <out>, one file system, so every
 * move is a rename. Readers skip _temporary and _SUCCESS (names starting with "_").
 */
import { existsSync, mkdirSync, renameSync, rmSync, readdirSync, writeFileSync, closeSync, openSync } from "node:fs";
import { dirname, join } from "node:path";
import { TsparkError } from "../errors.js";
import { enginePath } from "./paths.js";

/** Plain data describing a job's commit: sent to the workers, which rebuild the committer. */
export interface CommitDescription {
  /** Absolute output directory. */
  outputDir: string;
  jobId: string;
  /** Appended to part file names, e.g. ".gz". */
  suffix: string;
}

/** "part-00000" and so on (with a suffix such as ".gz"); more than 5 digits when needed. */
export function partFileName(partition: number, codecSuffix = ""): string {
  return `part-${String(partition).padStart(5, "0")}${codecSuffix}`;
}

function checkIndex(what: string, n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new TsparkError("INVALID_ARGUMENT", `${what} must be a non-negative integer, got ${n}`);
}

function errCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

export class OutputCommitter {
  private constructor(private readonly d: CommitDescription) {}

  /** Driver, before the job: claims `outputDir`, which must not exist, and creates its _temporary/<jobId>/. */
  static prepare(outputDir: string, jobId: string, suffix = ""): OutputCommitter {
    if (!/^[A-Za-z0-9._-]+$/.test(jobId) || jobId === "." || jobId === "..") {
      throw new TsparkError("INVALID_ARGUMENT", `job id ${JSON.stringify(jobId)} must be a plain file name (letters, digits, ".", "_", "-")`);
    }
    const out = enginePath(outputDir);
    const exists = () => new TsparkError("OUTPUT_EXISTS", `Output directory ${outputDir} already exists; remove it or choose another path`);
    if (existsSync(out)) throw exists();
    mkdirSync(dirname(out), { recursive: true });
    try {
      mkdirSync(out); // not recursive, so it fails if another job claimed the path meanwhile
    } catch (err) {
      if (errCode(err) === "EEXIST") throw exists();
      throw err;
    }
    mkdirSync(join(out, "_temporary", jobId), { recursive: true });
    return new OutputCommitter({ outputDir: out, jobId, suffix });
  }

  /** Worker: the committer a driver described. */
  static fromDescription(d: CommitDescription): OutputCommitter {
    return new OutputCommitter({ outputDir: d.outputDir, jobId: d.jobId, suffix: d.suffix });
  }

  describe(): CommitDescription {
    return { ...this.d };
  }

  private get jobDir(): string {
    return join(this.d.outputDir, "_temporary", this.d.jobId);
  }

  private attemptDir(partition: number, attempt: number): string {
    checkIndex("partition", partition);
    checkIndex("attempt", attempt);
    return join(this.jobDir, `_attempt_${partition}_${attempt}`);
  }

  /** Worker: where this attempt writes its part file (its directory is created afresh). */
  taskAttemptPath(partition: number, attempt: number): string {
    const dir = this.attemptDir(partition, attempt);
    if (!existsSync(this.jobDir)) {
      throw new TsparkError("INVALID_ARGUMENT", `output job ${this.d.jobId} in ${this.d.outputDir} is not active (aborted or already committed)`);
    }
    rmSync(dir, { recursive: true, force: true }); // leftovers of an earlier run of this same attempt
    mkdirSync(dir);
    return join(dir, partFileName(partition, this.d.suffix));
  }

  /**
   * Worker, after writing and closing the part file: publishes the attempt's output unless
   * another attempt of the partition already did. Returns whether this attempt's output won.
   */
  commitTask(partition: number, attempt: number): boolean {
    const from = this.attemptDir(partition, attempt);
    const to = join(this.jobDir, `task_${partition}`);
    // An attempt with no file still commits one (empty) part, and the non-empty directory
    // keeps the rename below exclusive: rename(2) may replace an empty directory.
    if (existsSync(from) && readdirSync(from).length === 0) closeSync(openSync(join(from, partFileName(partition, this.d.suffix)), "w"));
    try {
      renameSync(from, to);
      return true;
    } catch (err) {
      if (existsSync(to)) {
        rmSync(from, { recursive: true, force: true }); // an earlier attempt committed first
        return false;
      }
      throw new TsparkError("INVALID_ARGUMENT", `cannot commit partition ${partition} attempt ${attempt} of output ${this.d.outputDir}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Worker, after a failed attempt: removes its partial output (commitJob ignores it anyway). */
  abortTask(partition: number, attempt: number): void {
    rmSync(this.attemptDir(partition, attempt), { recursive: true, force: true });
  }

  /**
   * Driver, after every task succeeded: moves each committed part into the output
   * directory, removes _temporary, then writes an empty _SUCCESS, last, so its presence
   * means the output is complete. With `numPartitions`, a partition that never committed
   * is an error rather than a silently missing part.
   */
  commitJob(numPartitions?: number): void {
    const jobDir = this.jobDir;
    if (!existsSync(jobDir)) throw new TsparkError("INVALID_ARGUMENT", `output job ${this.d.jobId} in ${this.d.outputDir} is not active (aborted or already committed)`);
    const committed = new Set<number>();
    for (const t of readdirSync(jobDir)) {
      const m = /^task_(\d+)$/.exec(t);
      if (!m) continue; // attempt directories that never committed
      committed.add(Number(m[1]));
    }
    if (numPartitions !== undefined) {
      const missing: number[] = [];
      for (let p = 0; p < numPartitions; p++) if (!committed.has(p)) missing.push(p);
      if (missing.length > 0) throw new TsparkError("INVALID_ARGUMENT", `output ${this.d.outputDir}: partitions ${missing.join(", ")} were never committed`);
    }
    for (const p of [...committed].sort((a, b) => a - b)) {
      const dir = join(jobDir, `task_${p}`);
      for (const f of readdirSync(dir)) renameSync(join(dir, f), join(this.d.outputDir, f));
    }
    rmSync(join(this.d.outputDir, "_temporary"), { recursive: true, force: true });
    writeFileSync(join(this.d.outputDir, "_SUCCESS"), "");
  }

  /** Driver, when the job failed or was cancelled: nothing of it remains. */
  abortJob(): void {
    rmSync(this.d.outputDir, { recursive: true, force: true });
  }
}
