/**
 * Spark's properties-file format (`conf/spark-defaults.conf`): one setting a line, as
 * `key value` or `key=value` (also `key: value`), `#` or `!` starting a comment line.
 */
import { TsparkError } from "../errors.js";

export interface Property {
  key: string;
  value: string;
  /** 1-based line number, for error messages. */
  line: number;
}

export function parseProperties(text: string, fileName: string): Property[] {
  const out: Property[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith("!")) return;
    const m = /^([^\s=:]+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (!m || m[2]!.trim() === "") throw new TsparkError("CONFIG", `${fileName}:${i + 1}: expected "key value" or "key=value", got "${line}"`);
    out.push({ key: m[1]!, value: m[2]!.trim(), line: i + 1 });
  });
  return out;
}
