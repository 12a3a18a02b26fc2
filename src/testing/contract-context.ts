/**
 * The SparkContext of the API contract suites (rdd.test.ts, input.test.ts, ...) on the engine
 * the environment chooses, so that one suite runs against every engine: tspark's own by
 * default, Apache Spark when test/e2e/spark-contracts.test.ts (or a developer) says so.
 *
 *   TSPARK_CONTRACT_MASTER  the master, e.g. local-cluster[2,1,1024] (default: local[2])
 *   TSPARK_CONTRACT_CONF    more settings as a JSON object, e.g. {"tspark.engine":"spark"}
 *   SPARK_HOME              the Spark installation (read by tspark itself when Spark runs the jobs)
 *
 * Tests that cannot run on an engine are skipped with node:test's `skip` and the reason, never
 * passed silently.
 */
import { SparkContext } from "../api/context.js";
import { SparkConf } from "../api/spark-conf.js";
import { parseSettings } from "../config/settings.js";

export const CONTRACT_MASTER_ENV = "TSPARK_CONTRACT_MASTER";
export const CONTRACT_CONF_ENV = "TSPARK_CONTRACT_CONF";

/** How the reason of a test skipped on Spark because it checks tspark's engine itself begins. */
export const LOCAL_ENGINE_ONLY = "tspark's engine only:";
/** How the reason of a test skipped on Spark for a known bug begins (the rest names the bug). */
export const BUG_ON_SPARK = "bug on Spark:";

export interface ContractContext {
  readonly sc: SparkContext;
  /** The engine running the jobs: tspark's own, or Apache Spark. */
  readonly engine: "local" | "spark";
  /** The master the context was given (what sc.master and the conf say). */
  readonly master: string;
  /** node:test's `skip` for a test of something only tspark's engine has: the reason on Spark. */
  localEngineOnly(what: string): string | false;
  /** node:test's `skip` for a test that fails on Spark for a known bug, named by `bug`. */
  sparkBug(bug: string): string | false;
}

function contractConf(): Record<string, string> {
  const raw = process.env[CONTRACT_CONF_ENV];
  if (!raw) return {};
  try {
    return JSON.parse(raw) as Record<string, string>;
  } catch {
    throw new Error(`${CONTRACT_CONF_ENV} is not a JSON object of settings: ${raw}`);
  }
}

type Settings = Record<string, string | number | boolean>;

/**
 * A SparkContext named `appName` on the chosen engine, with `conf` added (the test's own
 * settings), and `sparkConf` too when Spark runs the jobs (Spark's settings tspark's engine
 * would warn of as unknown).
 */
export function contractContext(appName: string, conf: Settings = {}, sparkConf: Settings = {}): ContractContext {
  const master = process.env[CONTRACT_MASTER_ENV] || "local[2]";
  const chosen = contractConf();
  // The engine as the context will choose it: from the master and every setting it will read (the launcher's too).
  const spark = parseSettings(new SparkConf().setAll({ ...conf, ...chosen }).setMaster(master)).master.engine === "spark";
  const sc = new SparkContext({ master, appName, conf: { ...conf, ...(spark ? sparkConf : {}), ...chosen } });
  return {
    sc,
    engine: spark ? "spark" : "local",
    master,
    localEngineOnly: (what) => spark && `${LOCAL_ENGINE_ONLY} ${what}`,
    sparkBug: (bug) => spark && `${BUG_ON_SPARK} ${bug}`,
  };
}
