/**
 * SparkConf: string key/value settings, as PySpark's. Keys are `tspark.*` (see config/keys.ts);
 * `spark.*` keys are accepted as aliases of the `tspark.*` key with the same tail, so
 * PySpark habits (`spark.default.parallelism`) keep working.
 */
import { CONFIG_KEYS } from "../config/keys.js";
import { TsparkError } from "../errors.js";

/** The `tspark.*` form of a key (`spark.master` → `tspark.master`). */
export function canonicalKey(key: string): string {
  return key.startsWith("spark.") ? `t${key}` : key;
}

export class SparkConf {
  private readonly settings = new Map<string, string>();

  /**
   * @param loadDefaults when true (the default), takes settings the `tspark` launcher passed in.
   *
   * @example
   * ```ts
   * const conf = new SparkConf().setMaster("local[2]").setAppName("etl");
   * conf.get("tspark.master"); // → "local[2]"
   * new SparkConf(false).getAll(); // → []
   * ```
   */
  constructor(loadDefaults = true) {
    if (loadDefaults) for (const [k, v] of launcherSettings()) this.settings.set(k, v);
  }

  /**
   * `conf.set("tspark.default.parallelism", "8")`
   *
   * @example
   * ```ts
   * const conf = new SparkConf(false).set("tspark.default.parallelism", 8);
   * conf.get("tspark.default.parallelism"); // → "8"
   * // PySpark's spark.* names are accepted and mean the same tspark.* key:
   * new SparkConf(false).set("spark.task.maxFailures", "2").get("tspark.task.maxFailures"); // → "2"
   * ```
   */
  set(key: string, value: string | number | boolean): this {
    if (typeof key !== "string" || key.length === 0) throw new TsparkError("CONFIG", "a configuration key must be a non-empty string");
    this.settings.set(canonicalKey(key), String(value));
    return this;
  }

  /**
   * Sets a value only when the key has none.
   *
   * @example
   * ```ts
   * const conf = new SparkConf(false).set("tspark.app.name", "a");
   * conf.setIfMissing("tspark.app.name", "b").setIfMissing("tspark.ui.port", 4050);
   * conf.getAll(); // → [["tspark.app.name", "a"], ["tspark.ui.port", "4050"]]
   * ```
   */
  setIfMissing(key: string, value: string | number | boolean): this {
    if (!this.contains(key)) this.set(key, value);
    return this;
  }

  /**
   * Where to run: `local`, `local[N]` or `local[*]` (the `tspark.master` key).
   *
   * @example
   * ```ts
   * new SparkConf(false).setMaster("local[*]").get("tspark.master"); // → "local[*]"
   * ```
   */
  setMaster(master: string): this {
    return this.set(CONFIG_KEYS.master.key, master);
  }

  /**
   * The application's name, shown in the UI and logs (the `tspark.app.name` key).
   *
   * @example
   * ```ts
   * new SparkConf(false).setAppName("nightly").get("tspark.app.name"); // → "nightly"
   * ```
   */
  setAppName(name: string): this {
    return this.set(CONFIG_KEYS.appName.key, name);
  }

  /**
   * Sets several keys, from `[key, value]` pairs or an object.
   *
   * @example
   * ```ts
   * const conf = new SparkConf(false).setAll({ "tspark.worker.memory": "1g", "tspark.task.maxFailures": 2 });
   * conf.setAll([["tspark.ui.port", "4041"]]);
   * conf.toDebugString(); // → "tspark.task.maxFailures=2\ntspark.ui.port=4041\ntspark.worker.memory=1g"
   * ```
   */
  setAll(pairs: Iterable<[string, string | number | boolean]> | Record<string, string | number | boolean>): this {
    const entries = Symbol.iterator in Object(pairs) ? (pairs as Iterable<[string, string]>) : Object.entries(pairs);
    for (const [k, v] of entries) this.set(k, v);
    return this;
  }

  /**
   * Environment variables for worker processes (`tspark.executorEnv.NAME`).
   *
   * @example
   * ```ts
   * new SparkConf(false).setExecutorEnv("TZ", "UTC").get("tspark.executorEnv.TZ"); // → "UTC"
   * ```
   */
  setExecutorEnv(key: string, value: string): this {
    return this.set(`tspark.executorEnv.${key}`, value);
  }

  /**
   * `conf.get(key)` → the value, the given default, or the key's documented default.
   *
   * @example
   * ```ts
   * const conf = new SparkConf(false).set("tspark.app.name", "etl");
   * conf.get("tspark.app.name"); // → "etl"
   * conf.get("tspark.task.maxFailures"); // → "4"
   * conf.get("my.setting", "fallback"); // → "fallback"
   * conf.get("my.setting"); // → undefined
   * ```
   */
  get(key: string, defaultValue?: string): string | undefined {
    const k = canonicalKey(key);
    const v = this.settings.get(k);
    if (v !== undefined) return v;
    if (defaultValue !== undefined) return defaultValue;
    return Object.values(CONFIG_KEYS).find((c) => c.key === k)?.default;
  }

  /**
   * Whether the key was set explicitly (documented defaults do not count).
   *
   * @example
   * ```ts
   * const conf = new SparkConf(false).set("tspark.app.name", "etl");
   * conf.contains("tspark.app.name"); // → true
   * conf.contains("tspark.master"); // → false
   * ```
   */
  contains(key: string): boolean {
    return this.settings.has(canonicalKey(key));
  }

  /**
   * All explicitly set pairs, sorted by key.
   *
   * @example
   * ```ts
   * new SparkConf(false).set("b", 2).set("a", 1).getAll(); // → [["a", "1"], ["b", "2"]]
   * ```
   */
  getAll(): Array<[string, string]> {
    return [...this.settings].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /**
   * One `key=value` per line, sorted.
   *
   * @example
   * ```ts
   * new SparkConf(false).set("tspark.master", "local[2]").set("tspark.app.name", "x").toDebugString(); // → "tspark.app.name=x\ntspark.master=local[2]"
   * ```
   */
  toDebugString(): string {
    return this.getAll().map(([k, v]) => `${k}=${v}`).join("\n");
  }

  /**
   * A copy of these settings.
   *
   * @example
   * ```ts
   * const base = new SparkConf(false).setAppName("base");
   * const copy = base.clone().setAppName("copy");
   * [base.get("tspark.app.name"), copy.get("tspark.app.name")]; // → ["base", "copy"]
   * ```
   */
  clone(): SparkConf {
    const c = new SparkConf(false);
    for (const [k, v] of this.settings) c.settings.set(k, v);
    return c;
  }
}

/** Environment variable through which the `tspark` launcher hands its settings to the program. */
export const LAUNCHER_ENV = "TSPARK_LAUNCHER_CONF";

function launcherSettings(): Array<[string, string]> {
  const raw = process.env[LAUNCHER_ENV];
  if (!raw) return [];
  try {
    return Object.entries(JSON.parse(raw) as Record<string, string>).map(([k, v]) => [canonicalKey(k), String(v)]);
  } catch {
    throw new TsparkError("CONFIG", `${LAUNCHER_ENV} is not valid JSON`);
  }
}
