/**
 * The configuration in effect, as the UI's environment page and the event log show it.
 */
import { CONFIG_KEYS } from "./keys.js";

/** Keys whose values the UI and event log never show (as Spark's spark.redaction.regex). */
const REDACTED_KEY = /secret|password|token|access.?key|credential/i;

/** Every known key with its value in effect (set or default), then any other keys set; sorted by key. */
export function effectiveConfig(conf: { get(key: string): string | undefined; getAll(): Array<[string, string]> }): Array<[string, string]> {
  const out = new Map<string, string>();
  for (const c of Object.values(CONFIG_KEYS)) out.set(c.key, conf.get(c.key) ?? "(not set)");
  for (const [k, v] of conf.getAll()) out.set(k, REDACTED_KEY.test(k) ? "*********(redacted)" : v);
  return [...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
