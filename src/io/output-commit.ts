/**
 * All-or-nothing job output, as Hadoop's FileOutputCommitter: tasks write under
 * `<out>/_temporary/<job>/`, each attempt in its own directory; a finished task commits by
 * renaming its attempt directory (the first attempt of a partition to do so wins); the job
 * commits by moving every partition's file into `<out>` and writing `_SUCCESS` last. An
 * aborted job removes `<out>`, which did not exist before it started.
 */
import { existsSync, mkdirSync, renameSync, rmSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { TsparkError } from "../errors.js";

/** Plain data describing a job's commit, for the tasks. */
export interface CommitDescription {
  outputDir: string;
  jobId: string;
  suffix: string;
}

/** "part-00000" and so on (with a suffix such as ".gz"). */
export function partFileName(partition: number, suffix = ""): string {
  return `part-${String(partition).padStart(5, "0")}${suffix}`;
}

export class OutputCommitter {
  private constructor(private readonly d: CommitDescription) {}

  /** Driver, before the job: claims `outputDir`, which must not exist. */
  static prepare(outputDir: string, jobId: string, suffix = ""): OutputCommitter {
    const out = resolve(outputDir);
    if (existsSync(out)) throw new TsparkError("OUTPUT_EXISTS", `Output directory ${outputDir} already exists; remove it or choose another path`);
    mkdirSync(dirname(out), { recursive: true });
    try {
      mkdirSync(out); // not recursive: fails if someone created it meanwhile
    } catch (err) {
      throw new TsparkError("OUTPUT_EXISTS", `Output directory ${outputDir} already exists; remove it or choose another path`, { cause: err });
    }
    mkdirSync(join(out, "_temporary", jobId), { recursive: true });
    return new OutputCommitter({ outputDir: out, jobId, suffix });
  }

  static fromDescription(d: CommitDescription): OutputCommitter {
    return new OutputCommitter(d);
  }

  describe(): CommitDescription {
    return { ...this.d };
  }

  private get jobDir(): string {
    return join(this.d.outputDir, "_temporary", this.d.jobId);
  }

  /** Worker: where this attempt writes its part file (its directory is created). */
  taskAttemptPath(partition: number, attempt: number): string {
    const dir = join(this.jobDir, `_attempt_${partition}_${attempt}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    return join(dir, partFileName(partition, this.d.suffix));
  }

  /** Worker, after writing: publishes the attempt's output unless another attempt did. */
  commitTask(partition: number, attempt: number): void {
    const from = join(this.jobDir, `_attempt_${partition}_${attempt}`);
    const to = join(this.jobDir, `task_${partition}`);
    try {
      renameSync(from, to);
    } catch {
      rmSync(from, { recursive: true, force: true }); // an earlier attempt committed first
    }
  }

  /** Driver, after every task succeeded: moves the parts into place, then writes _SUCCESS. */
  commitJob(): void {
    const tasks = readdirSync(this.jobDir).filter((n) => n.startsWith("task_"));
    for (const t of tasks) {
      const dir = join(this.jobDir, t);
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
