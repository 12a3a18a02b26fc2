/**
 * Web server log analysis: parses an Apache combined-format access log, counts the lines
 * that do not parse (with an accumulator, so the job does not fail on them), and writes
 * per-status and per-path summaries as text files. Shows parsing a real-world format,
 * cache() for a parsed input read by several jobs, aggregateByKey, sortBy, and
 * saveAsTextFile's all-or-nothing output.
 *
 *   npx tspark examples/log-analysis.ts [log=examples/data/access.log] [output=log-report]
 *
 * The output directory (which must not exist) gets two datasets:
 *   OUTPUT/status/part-*  "STATUS<TAB>REQUESTS<TAB>BYTES" by status, ascending
 *   OUTPUT/paths/part-*   "PATH<TAB>REQUESTS<TAB>BYTES" by requests, most first
 */
import { SparkContext } from "tspark";
import { join } from "node:path";

const input = process.argv[2] ?? new URL("./data/access.log", import.meta.url).pathname;
const output = process.argv[3] ?? "log-report";

interface Request {
  ip: string;
  time: string;
  method: string;
  path: string;
  status: number;
  bytes: number;
}

// host ident user [time] "method path protocol" status bytes "referer" "agent"
const COMBINED = /^(\S+) \S+ \S+ \[([^\]]+)\] "(\S+) (\S+) [^"]*" (\d{3}) (\d+|-)(?: "[^"]*" "[^"]*")?$/;

/** The request a log line records, or undefined when the line is not in the format. */
function parse(line: string): Request | undefined {
  const m = COMBINED.exec(line);
  if (!m) return undefined;
  const [, ip, time, method, path, status, bytes] = m;
  return { ip: ip!, time: time!, method: method!, path: path!, status: Number(status), bytes: bytes === "-" ? 0 : Number(bytes) };
}

const sc = new SparkContext({ appName: "log-analysis" });
try {
  const malformed = sc.accumulator(0);
  const requests = sc
    .textFile(input)
    .flatMap((line) => {
      const request = parse(line);
      if (request === undefined) {
        malformed.add(1);
        return [];
      }
      return [request];
    })
    .cache();

  // The first job parses every line (and fills the cache and the accumulator).
  const total = await requests.count();
  console.log(`${total} requests, ${malformed.value} malformed lines skipped`);

  // [requests, bytes] per key.
  const add = (a: [number, number], b: [number, number]): [number, number] => [a[0] + b[0], a[1] + b[1]];
  const count = (acc: [number, number], r: Request): [number, number] => [acc[0] + 1, acc[1] + r.bytes];

  const byStatus = requests
    .keyBy((r) => r.status)
    .aggregateByKey([0, 0] as [number, number], count, add)
    .sortByKey();
  const byPath = requests
    .keyBy((r) => r.path)
    .aggregateByKey([0, 0] as [number, number], count, add)
    .sortBy(([path, [n]]) => [-n, path]);

  const line = ([key, [n, bytes]]: [string | number, [number, number]]) => `${key}\t${n}\t${bytes}`;
  await byStatus.map(line).saveAsTextFile(join(output, "status"));
  await byPath.map(line).saveAsTextFile(join(output, "paths"));

  for (const [status, [n]] of await byStatus.collect()) console.log(`status ${status}: ${n}`);
  const top = await byPath.take(3);
  console.log(`top paths: ${top.map(([path, [n]]) => `${path} (${n})`).join(", ")}`);
  console.log(`wrote ${join(output, "status")} and ${join(output, "paths")}`);
} finally {
  await sc.stop();
}
