/**
 * The master URL (`tspark.master`, `--master`): which engine runs the jobs, and with how many
 * task slots. Parsed into a discriminated value so that code choosing an engine switches on
 * `engine` instead of matching the text again.
 */
import os from "node:os";
import { TsparkError } from "../errors.js";

/** `local`, `local[N]` or `local[*]`: worker processes on this machine. */
export interface LocalMaster {
  /** Which engine runs the jobs: worker processes of this machine's. */
  readonly engine: "local";
  /** Worker processes (local → 1, local[N] → N, local[*] → the machine's cores). */
  readonly slots: number;
  /** The URL as written, e.g. `local[4]` (shown in the UI and logs). */
  readonly text: string;
}

/** A master only Apache Spark knows (or a local one with tspark.engine=spark): Spark runs the jobs. */
export interface SparkMaster {
  /** Which engine runs the jobs: Apache Spark, through its gateway. */
  readonly engine: "spark";
  /** Tasks that run at once, as far as the URL tells (the default number of partitions). */
  readonly slots: number;
  /** The URL as written, e.g. `spark://host:7077` (what spark-submit gets as --master). */
  readonly text: string;
}

/** Every master tspark runs on; each kind of engine adds its own member. */
export type MasterUrl = LocalMaster | SparkMaster;

const LOCAL = /^local(?:\[(\*|\d+)\])?$/;
/** Spark's own masters: its standalone cluster, YARN, Kubernetes, Mesos, and its test cluster. */
const SPARK = /^(spark:\/\/.+|yarn|k8s:\/\/.+|mesos:\/\/.+|local-cluster\[\s*(\d+)\s*,\s*(\d+)\s*,\s*\d+\s*\])$/;

function localSlots(text: string, n: string | undefined): number {
  const slots = n === undefined ? 1 : n === "*" ? os.availableParallelism() : Number(n);
  if (slots < 1) throw new TsparkError("CONFIG", `master "${text}" needs at least one worker`);
  return slots;
}

/**
 * Parses a master URL: local, local[N] and local[*] run on tspark's own engine unless
 * `engine` is "spark"; Spark's masters (spark://, yarn, k8s://, mesos://, local-cluster[N,C,M])
 * always run on Spark. Anything else is refused.
 */
export function parseMaster(text: string, engine: "local" | "spark" = "local"): MasterUrl {
  const local = LOCAL.exec(text);
  if (local) return Object.freeze({ engine, slots: localSlots(text, local[1]), text });
  const spark = SPARK.exec(text);
  if (spark) {
    // local-cluster[N,C,M]: N executors of C cores; elsewhere Spark's own default (at least 2).
    const slots = spark[2] !== undefined ? Number(spark[2]) * Number(spark[3]) : 2;
    return Object.freeze({ engine: "spark", slots: Math.max(1, slots), text });
  }
  throw new TsparkError("CONFIG", `unsupported master "${text}": use local, local[N] or local[*] (tspark's engine), or a Spark master (spark://HOST:PORT, yarn, k8s://..., local-cluster[N,C,M])`);
}

/** Worker slots for a master URL: local → 1, local[N] → N, local[*] → the machine's cores. */
export function slotsForMaster(master: string): number {
  return parseMaster(master).slots;
}
