/**
 * Finding Spark: the installation `tspark.spark.home` or `SPARK_HOME` names (a Spark
 * distribution, or the `pyspark` folder pip installs), and which release it is, read from its
 * spark-core jar before any JVM starts, so an unsupported release is refused at once.
 */
import { existsSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { TsparkError } from "../../errors.js";

/** The Spark minor versions tspark's worker protocol speaks. */
export const SUPPORTED_SPARK_MINORS = ["3.5", "4.3"] as const;
export type SparkMinor = (typeof SUPPORTED_SPARK_MINORS)[number];

export interface SparkInstallation {
  /** The folder holding bin/spark-submit and jars/. */
  readonly home: string;
  /** The release, e.g. `4.3.0`. */
  readonly version: string;
  /** Which protocol profile its executors speak. */
  readonly minor: SparkMinor;
}

const HOW_TO_GET_SPARK =
  "install one with pip (python3 -m venv ~/spark && ~/spark/bin/pip install pyspark==4.3.0) " +
  "and point SPARK_HOME (or --conf tspark.spark.home) at its pyspark folder: SPARK_HOME=$(echo ~/spark/lib/python3*/site-packages/pyspark)";

/** The installation at `configured` (tspark.spark.home), else at $SPARK_HOME; refused with how to get one. */
export function findSpark(configured: string | undefined, env: NodeJS.ProcessEnv = process.env): SparkInstallation {
  const given = configured ?? env["SPARK_HOME"];
  if (!given) throw new TsparkError("SPARK_UNAVAILABLE", `running on Spark needs a Spark installation, and neither tspark.spark.home nor SPARK_HOME is set: ${HOW_TO_GET_SPARK}`);
  const home = resolve(given);
  const source = configured !== undefined ? "tspark.spark.home" : "SPARK_HOME";
  if (!existsSync(join(home, "bin", "spark-submit"))) {
    throw new TsparkError("SPARK_UNAVAILABLE", `${source} (${home}) is not a Spark installation: it has no bin/spark-submit; ${HOW_TO_GET_SPARK}`);
  }
  const version = sparkVersionOf(home);
  return { home, version, minor: supportedMinor(version) };
}

/** The release of the installation at `home`, from its jars/spark-core_<scala>-<version>.jar. */
export function sparkVersionOf(home: string): string {
  const jars = existsSync(join(home, "jars")) ? readdirSync(join(home, "jars")) : [];
  for (const name of jars) {
    const m = /^spark-core_[\d.]+-(\d+\.\d+\.\d+[^/]*)\.jar$/.exec(name);
    if (m) return m[1]!;
  }
  throw new TsparkError("SPARK_UNAVAILABLE", `cannot tell which Spark release ${home} is: no jars/spark-core_*.jar in it`);
}

/** The protocol profile for a release; any other release is refused, naming those supported. */
export function supportedMinor(version: string): SparkMinor {
  const minor = /^(\d+\.\d+)\./.exec(version)?.[1];
  const found = SUPPORTED_SPARK_MINORS.find((m) => m === minor);
  if (!found) {
    throw new TsparkError("SPARK_UNAVAILABLE", `Spark ${version} is not supported; tspark runs on Spark ${SUPPORTED_SPARK_MINORS.map((m) => `${m}.x`).join(" and ")}`);
  }
  return found;
}
