/**
 * Settings nobody reads: a key that is not tspark's (config/keys.ts) is most often a typo,
 * which would otherwise be ignored without a word. On tspark's engine every such key is
 * ignored, so each one is reported; on Spark the keys tspark does not read go to Spark
 * (SparkConf keeps PySpark's `spark.*` keys as `tspark.*`), so only one that looks like a
 * misspelt tspark key is. Edit distance from fastest-levenshtein (a solved problem).
 */
import { distance } from "fastest-levenshtein";
import { TSPARK_KEYS } from "./keys.js";

/** Keys of a family tspark reads by prefix. */
const PREFIXES = ["tspark.executorEnv."];

/** The known key nearest to `key`, when it is near enough to be what was meant. */
export function closestKey(key: string): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const lower = key.toLowerCase();
  for (const known of TSPARK_KEYS) {
    const d = distance(lower, known.toLowerCase());
    if (d < bestDistance) {
      best = known;
      bestDistance = d;
    }
  }
  // A few edits, and fewer than a third of the key: a typo, not another setting.
  return best !== undefined && bestDistance <= Math.min(3, Math.floor(key.length / 3)) ? best : undefined;
}

/** One warning per key set that tspark does not read (`passedToSpark`: Spark runs the jobs and gets the others). */
export function unknownKeyWarnings(keys: Iterable<string>, passedToSpark: boolean): string[] {
  const out: string[] = [];
  for (const key of keys) {
    if (TSPARK_KEYS.has(key) || PREFIXES.some((p) => key.startsWith(p))) continue;
    const near = closestKey(key);
    if (near) out.push(`${key}: unknown setting; did you mean ${near}?`);
    else if (!passedToSpark) out.push(`${key}: unknown setting, ignored (tspark --help lists the settings; spark.* keys other than those go to Spark only when Spark runs the jobs)`);
  }
  return out;
}
