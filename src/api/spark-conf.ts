/**
 * SparkConf: string key/value settings, as PySpark's. Keys are `tspark.*` (see config.ts);
 * `spark.*` keys are accepted as aliases of the `tspark.*` key with the same tail, so
 * PySpark habits (`spark.default.parallelism`) keep working.
 */
import { CONFIG_KEYS } from "./config.js";
import { TsparkError } from "../errors.js";

/** The `tspark.*` form of a key (`spark.master` → `tspark.master`). */
export function canonicalKey(key: string): string {
  return key.startsWith("spark.") ? `t${key}` : key;
}

export class SparkConf {
  private readonly settings = new Map<string, string>();

  /** @param loadDefaults when true (the default), takes settings the `tspark` launcher passed in. */
  constructor(loadDefaults = true) {
    if (loadDefaults) for (const [k, v] of launcherSettings()) this.settings.set(k, v);
  }

  /** `conf.set("tspark.default.parallelism", "8")` */
  set(key: string, value: string | number | boolean): this {
    if (typeof key !== "string" || key.length === 0) throw new TsparkError("CONFIG", "a configuration key must be a non-empty string");
    this.settings.set(canonicalKey(key), String(value));
    return this;
  }

  /** Sets a value only when the key has none. */
  setIfMissing(key: string, value: string | number | boolean): this {
    if (!this.contains(key)) this.set(key, value);
    return this;
  }

  setMaster(master: string): this {
    return this.set(CONFIG_KEYS.master.key, master);
  }

  setAppName(name: string): this {
    return this.set(CONFIG_KEYS.appName.key, name);
  }

  setAll(pairs: Iterable<[string, string | number | boolean]> | Record<string, string | number | boolean>): this {
    const entries = Symbol.iterator in Object(pairs) ? (pairs as Iterable<[string, string]>) : Object.entries(pairs);
    for (const [k, v] of entries) this.set(k, v);
    return this;
  }

  /** Environment variables for worker processes (`tspark.executorEnv.NAME`). */
  setExecutorEnv(key: string, value: string): this {
    return this.set(`tspark.executorEnv.${key}`, value);
  }

  /** `conf.get(key)` → the value, the given default, or the key's documented default. */
  get(key: string, defaultValue?: string): string | undefined {
    const k = canonicalKey(key);
    const v = this.settings.get(k);
    if (v !== undefined) return v;
    if (defaultValue !== undefined) return defaultValue;
    return Object.values(CONFIG_KEYS).find((c) => c.key === k)?.default;
  }

  contains(key: string): boolean {
    return this.settings.has(canonicalKey(key));
  }

  /** All explicitly set pairs, sorted by key. */
  getAll(): Array<[string, string]> {
    return [...this.settings].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** One `key=value` per line, sorted. */
  toDebugString(): string {
    return this.getAll().map(([k, v]) => `${k}=${v}`).join("\n");
  }

  /** A copy of these settings. */
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
