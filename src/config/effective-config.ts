/**
 * The configuration in effect, as the UI's environment page and the event log show it.
 */
import { CONFIG_KEYS, TSPARK_KEYS } from "./keys.js";

/** Keys whose values the UI and event log never show (as Spark's default spark.redaction.regex). */
const SECRET_KEY = /secret|pass|token|key|credential|auth/i;

/**
 * Whether a key's value is hidden: a secret-looking name, or any variable given to the workers'
 * environment (DB_URL carries a password as often as DB_PASS does). tspark's own keys hold
 * settings, never secrets (tspark.ui.authenticate is a flag).
 */
export function isRedacted(key: string): boolean {
  if (key.startsWith("tspark.executorEnv.")) return true;
  return !TSPARK_KEYS.has(key) && SECRET_KEY.test(key);
}

/** Every known key with its value in effect (set or default), then any other keys set; sorted by key. */
export function effectiveConfig(conf: { get(key: string): string | undefined; getAll(): Array<[string, string]> }): Array<[string, string]> {
  const out = new Map<string, string>();
  for (const c of Object.values(CONFIG_KEYS)) out.set(c.key, conf.get(c.key) ?? "(not set)");
  for (const [k, v] of conf.getAll()) out.set(k, isRedacted(k) ? "*********(redacted)" : v);
  return [...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
