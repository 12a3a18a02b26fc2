/**
 * Files added with `sc.addFile(path)`, found in tasks (and on the driver) by name:
 * `SparkFiles.get("lookup.csv")`. The driver copies each file into the application's
 * directory, which every worker on this machine reads; on Spark, a task finds them where its
 * executor keeps them (as PySpark's worker does).
 */
import { join, basename } from "node:path";
import { localDir } from "../worker/worker-env.js";
import { inWorker, runningTaskScope } from "../worker/task-context.js";
import { TsparkError } from "../errors.js";

let driverRoot: string | undefined;

/** @internal The driver's files directory, set by the active SparkContext. */
export function setDriverFilesRoot(dir: string | undefined): void {
  driverRoot = dir;
}

export class SparkFiles {
  /**
   * The directory holding added files.
   *
   * @example
   * ```ts
   * import { writeFileSync } from "node:fs";
   * writeFileSync("stopwords.txt", "a\nthe\n");
   * sc.addFile("stopwords.txt");
   * SparkFiles.get("stopwords.txt").startsWith(SparkFiles.getRootDirectory()); // → true
   * ```
   */
  static getRootDirectory(): string {
    if (inWorker()) return runningTaskScope()?.runtime.filesDir ?? join(localDir(), "files");
    if (!driverRoot) throw new TsparkError("CONTEXT_STOPPED", "SparkFiles needs an active SparkContext");
    return driverRoot;
  }

  /**
   * The absolute path of an added file, by its name.
   *
   * @example
   * ```ts
   * import { readFileSync, writeFileSync } from "node:fs";
   * writeFileSync("stopwords.txt", "a\nthe\n");
   * sc.addFile("stopwords.txt");
   * const words = sc.parallelize(["the", "cat", "a", "hat"]).filter((w) => {
   *   const stop = readFileSync(SparkFiles.get("stopwords.txt"), "utf8").split("\n");
   *   return !stop.includes(w);
   * });
   * await words.collect(); // → ["cat", "hat"]
   * ```
   */
  static get(filename: string): string {
    return join(SparkFiles.getRootDirectory(), basename(filename));
  }
}
