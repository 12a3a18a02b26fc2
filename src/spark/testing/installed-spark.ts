/**
 * The Spark installations the Spark tests run against: the releases pinned in
 * scripts/spark-versions.json, as scripts/install-spark.sh installs them (CI runs it first).
 * On a developer's machine without them the Spark tests are skipped, saying how to install;
 * under CI a missing one fails the run.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { findSpark, type SparkInstallation } from "../gateway/spark-home.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

function cacheDir(): string {
  return process.env["TSPARK_SPARK_CACHE"] ?? join(process.env["XDG_CACHE_HOME"] ?? join(os.homedir(), ".cache"), "tspark", "spark");
}

export function pinnedSparkVersions(): string[] {
  return (JSON.parse(readFileSync(join(ROOT, "scripts", "spark-versions.json"), "utf8")) as { pinned: string[] }).pinned;
}

/** The home of an installed pinned release, or undefined. */
function installedHome(version: string): string | undefined {
  const lib = join(cacheDir(), `pyspark-${version}`, "lib");
  if (!existsSync(lib)) return undefined;
  for (const py of readdirSync(lib)) {
    const home = join(lib, py, "site-packages", "pyspark");
    if (existsSync(join(home, "bin", "spark-submit"))) return home;
  }
  return undefined;
}

export type TestSpark = { version: string; spark: SparkInstallation; skip?: undefined } | { version: string; spark?: undefined; skip: string };

/** Each pinned release: installed, or why its tests skip. Throws under CI when one is missing. */
export function testSparks(): TestSpark[] {
  return pinnedSparkVersions().map((version) => {
    const home = installedHome(version);
    if (home) return { version, spark: findSpark(home) };
    const why = `Spark ${version} is not installed (bash scripts/install-spark.sh installs it)`;
    if (process.env["CI"]) throw new Error(`${why}; CI must run the Spark tests`);
    return { version, skip: why };
  });
}
