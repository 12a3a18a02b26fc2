/**
 * `tspark` with no program: an interactive shell (like `pyspark`) on node's REPL, with `sc`
 * and tspark's exports ready. Input is TypeScript (see ts-input.ts) with top-level await;
 * Tab completes on live objects (`sc.`, an RDD variable); history persists across runs.
 * Ctrl-C while a job runs cancels it (its tasks are killed) and returns to the prompt;
 * `.exit`, Ctrl-D or Ctrl-C twice at an empty prompt stop the context and leave.
 */
import repl, { type REPLServer } from "node:repl";
import { createInterface } from "node:readline";
import { PassThrough } from "node:stream";
import { inspect } from "node:util";
import { homedir } from "node:os";
import { join } from "node:path";
import { stop as stopEsbuild } from "esbuild";
import * as tspark from "../index.js";
import { SparkContext, SparkConf, RDD } from "../index.js";
import { CONFIG_KEYS } from "../config/keys.js";
import { runtimeOf } from "../driver/runtime-registry.js";
import { withoutUiAnnouncement } from "../driver/driver-runtime.js";
import { TsparkError } from "../errors.js";
import { transpileInput } from "./ts-input.js";
import { registerTsx } from "./run-program.js";

export const HISTORY_ENV = "TSPARK_HISTORY";
const PROMPT = "tspark> ";

/** The history file: $TSPARK_HISTORY (empty: none), else ~/.tspark_history. */
export function historyFile(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const v = env[HISTORY_ENV];
  if (v === undefined) return join(homedir(), ".tspark_history");
  return v === "" ? undefined : v;
}

export function banner(sc: SparkContext): string {
  const workers = sc.statusTracker().getExecutorInfos().length;
  const spark = runtimeOf(sc).sparkVersion;
  const engine = spark !== undefined ? `on Apache Spark ${spark}` : `${workers} worker process${workers === 1 ? "" : "es"}`;
  const lines = [
    `Welcome to tspark ${sc.version} (Node ${process.version})`,
    `Spark context: master ${sc.master} (${engine}), app "${sc.appName}", id ${sc.applicationId}`,
  ];
  if (sc.uiWebUrl !== undefined) lines.push(`Web UI: ${sc.uiWebUrl}`);
  lines.push(
    "`sc` and tspark's exports (SparkConf, StorageLevel, ...) are ready; TypeScript and top-level await work.",
    "Tab completes, Ctrl-C cancels a running job, .exit or Ctrl-C twice leaves.",
  );
  return lines.join("\n") + "\n";
}

/**
 * How a result prints: RDDs and the context by what they are, the rest by util.inspect.
 * node's REPL prints uncaught errors with the writer too: tspark's errors by their message
 * (it names the user's frames; the engine's are noise), Ctrl-C's interruption briefly.
 */
function writer(colors: boolean) {
  return (value: unknown): string => {
    if (value instanceof TsparkError) return `${value.name} [${value.code}]: ${value.message}`;
    if (value instanceof Error && (value as { code?: string }).code === "ERR_SCRIPT_EXECUTION_INTERRUPTED") return "interrupted (Ctrl-C)";
    if (value instanceof RDD) return value.toDebugString().split("\n")[0]!.replace(/^\(\d+\)\s*/, "").replace(/ \[\]$/, "");
    if (value instanceof SparkContext) return `SparkContext { master: ${inspect(value.master)}, appName: ${inspect(value.appName)}, applicationId: ${inspect(value.applicationId)} }`;
    if (value instanceof Promise && inspect(value).includes("<pending>")) return "Promise { <pending> }  (actions return Promises: `await` one for its result)";
    return inspect(value, { colors });
  };
}

const INTERNAL = /(^|\.)_[^.]*$/;

/** Completions without engine internals (private fields such as `rdd._name`), unless the word typed starts with `_`. */
export function withoutInternals(completions: string[], typed: string): string[] {
  return INTERNAL.test(typed) ? completions : completions.filter((c) => !INTERNAL.test(c));
}

function hideInternals(server: REPLServer): void {
  const complete = server.completer as (line: string, cb: (err: Error | null, result?: [string[], string]) => void) => void;
  (server as unknown as { completer: typeof complete }).completer = (line, cb) =>
    complete.call(server, line, (err, result) => (err || !result ? cb(err, result) : cb(null, [withoutInternals(result[0], result[1]), result[1]])));
}

/**
 * `_` keeps node's meaning (the last result, until the user assigns it), without the notice
 * node prints when it is assigned: `import _ from "lodash"` is common, and not a mistake.
 */
function quietUnderscore(server: REPLServer): void {
  const s = server as unknown as { last: unknown; underscoreAssigned: boolean };
  Object.defineProperty(server.context, "_", {
    configurable: true,
    get: () => s.last,
    set: (value: unknown) => {
      s.last = value;
      s.underscoreAssigned = true;
    },
  });
}

/**
 * Piped input (`tspark < script.ts`) runs line by line: the next line goes to the REPL only
 * when it shows its prompt again. (On a terminal node holds typed keys while an input is
 * awaited; lines from a pipe it would start at once, before the previous await ends.)
 */
function feedLineByLine(server: REPLServer, source: NodeJS.ReadableStream, feed: PassThrough): void {
  const pending: string[] = [];
  let ended = false;
  let wanted = true; // the REPL showed its first prompt when it started
  const next = () => {
    const line = pending.shift();
    wanted = line === undefined && !ended;
    if (line !== undefined) feed.write(line + "\n");
    else if (ended) feed.end();
  };
  const lines = createInterface({ input: source, crlfDelay: Infinity });
  lines.on("line", (line) => {
    pending.push(line);
    if (wanted) next();
  });
  lines.on("close", () => {
    ended = true;
    if (wanted) next();
  });
  const displayPrompt = server.displayPrompt.bind(server);
  server.displayPrompt = (preserveCursor?: boolean) => {
    displayPrompt(preserveCursor);
    // Not at once: node shows the prompt from inside its handling of an awaited rejection,
    // and a line evaluated there (failing too) would leave that handling without its domain.
    setImmediate(next);
  };
}

/** Runs the shell until the user leaves; resolves after the context stopped. */
export async function runShell(): Promise<void> {
  await registerTsx(); // `import { helper } from "./helpers.ts"` at the prompt
  const conf = new SparkConf().setIfMissing(CONFIG_KEYS.appName.key, "tspark-shell");
  const sc = withoutUiAnnouncement(() => new SparkContext(conf));
  // Ctrl-C cancels the running jobs (killing their tasks) instead of exiting.
  const interrupt = () => {
    const ids = runtimeOf(sc).interruptAllJobs("interrupted from the shell (Ctrl-C)");
    if (ids.length > 0) process.stderr.write(`tspark: cancelled job${ids.length > 1 ? "s" : ""} ${ids.join(", ")}\n`);
  };
  // The shell's names live on the global object: the REPL runs in the main context (useGlobal),
  // where closures must be defined for the closure layer to ship them.
  Object.assign(globalThis, tspark, { sc });

  await runtimeOf(sc).uiStarted(); // the banner gives the UI's address, with its access token
  process.stdout.write(banner(sc));
  const terminal = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  runtimeOf(sc).setInterruptHandler(interrupt); // Ctrl-C as a signal (no terminal, or `kill -INT`)
  // Without a terminal the REPL reads from `input`, fed one line per prompt (feedLineByLine).
  const fed = terminal ? undefined : new PassThrough();
  const input = fed ?? process.stdin;
  const server = repl.start({
    prompt: PROMPT,
    input,
    output: process.stdout,
    useGlobal: true,
    terminal,
    // Ctrl-C reaches a running evaluation: node stops awaiting its promise and `interrupt`
    // cancels the job behind it.
    breakEvalOnSigint: true,
    preview: false, // the preview evaluates JavaScript only, and would redraw over the bar
    writer: writer(terminal),
  });
  // node's REPL leaves raw mode while it runs synchronous code, so that Ctrl-C becomes a
  // SIGINT; but that signal goes to the terminal's whole process group, killing the workers
  // and esbuild's service. The terminal stays raw instead: Ctrl-C is always a key, read at
  // the next turn of the event loop (a running job is cancelled at once; synchronous driver
  // code runs to its end).
  if (terminal) (server as unknown as { _setRawMode: (mode: boolean) => boolean })._setRawMode = () => true;
  const evaluate = server.eval;
  (server as unknown as { eval: typeof evaluate }).eval = (code, context, file, cb) => {
    if (code.trim() === "") return evaluate.call(server, code, context, file, cb); // node prints nothing for it
    const t = transpileInput(code);
    if (t.kind === "incomplete") return cb(new repl.Recoverable(new SyntaxError("incomplete input")), undefined);
    if (t.kind === "error") return cb(Object.assign(new SyntaxError(t.message), { stack: `SyntaxError: ${t.message}` }), undefined);
    evaluate.call(server, t.code, context, file, cb);
  };
  quietUnderscore(server);
  if (fed) feedLineByLine(server, process.stdin, fed);
  server.prependListener("SIGINT", interrupt); // Ctrl-C typed (before node's own handling)
  hideInternals(server);

  const file = historyFile();
  if (file !== undefined && terminal) {
    await new Promise<void>((res) => server.setupHistory(file, (err) => {
      if (err) process.stderr.write(`tspark: history disabled: ${err.message}\n`);
      res();
    }));
  }
  await new Promise<void>((res) => server.on("exit", res));
  runtimeOf(sc).setInterruptHandler(undefined);
  await sc.stop();
  stopEsbuild();
}
