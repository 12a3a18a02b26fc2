/**
 * The launcher's options, shared by program runs and the shell: parsing (node:util
 * parseArgs), the properties file, and the precedence of settings:
 * code > command line > properties file > TSPARK_MASTER > defaults
 * (the code's part is SparkConf's: settings made in the program win over these).
 */
import { parseArgs } from "node:util";
import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { CONFIG_KEYS } from "../config/keys.js";
import { canonicalKey } from "../api/spark-conf.js";
import { TsparkError } from "../errors.js";
import { parseProperties } from "./properties-file.js";

export const PROPERTIES_FILE_NAME = "tspark-defaults.conf";

/** A setting and where it came from (`--master`, `conf/tspark-defaults.conf:3`, ...). */
export interface Setting {
  value: string;
  source: string;
}

export interface LaunchPlan {
  help: boolean;
  version: boolean;
  verbose: boolean;
  /** The program to run; undefined opens the shell. */
  program: string | undefined;
  programArgs: string[];
  /** The properties file read, if any. */
  propertiesFile: string | undefined;
  /** Canonical key → setting, after precedence. */
  settings: Map<string, Setting>;
}

const OPTIONS = {
  master: { type: "string" },
  name: { type: "string" },
  conf: { type: "string", multiple: true },
  "properties-file": { type: "string" },
  "driver-memory": { type: "string" },
  "executor-memory": { type: "string" },
  files: { type: "string", multiple: true },
  verbose: { type: "boolean" },
  help: { type: "boolean" },
  version: { type: "boolean" },
} as const;

export const USAGE = `Usage: tspark [options] [program.ts|program.js [program arguments...]]
       tspark history [--port <n>] <event-log-file|directory>

Runs a tspark program, or with no program opens the interactive shell (sc ready).
\`tspark history\` serves the web UI of finished applications from their event logs
(written with --conf tspark.eventLog.enabled=true; \`tspark history --help\`).

Options:
  --master <url>             local, local[N] or local[*] (default: ${CONFIG_KEYS.master.default}), or a Spark
                             master to run on Apache Spark: spark://host:port, yarn, k8s://..., local-cluster[N,C,M]
  --name <name>              application name
  --conf <key=value>         a configuration setting (repeatable), e.g. --conf tspark.task.maxFailures=2
  --properties-file <path>   settings file, one "key value" or "key=value" a line (default:
                             $TSPARK_CONF_DIR/${PROPERTIES_FILE_NAME}, else conf/${PROPERTIES_FILE_NAME}, when present)
  --driver-memory <size>     heap of the driver process, e.g. 2g (${CONFIG_KEYS.driverMemory.key})
  --executor-memory <size>   heap of each worker process, e.g. 1g (${CONFIG_KEYS.executorMemory.key})
  --files <a,b,...>          files every task can read with SparkFiles.get (repeatable, as sc.addFile)
  --verbose                  print the settings and where each came from
  --help                     this text
  --version                  tspark's version

Environment:
  TSPARK_MASTER              the master when no option or properties file sets one
  TSPARK_CONF_DIR            directory of ${PROPERTIES_FILE_NAME}
  TSPARK_HISTORY             the shell's history file (default ~/.tspark_history; empty: none)

Precedence: settings made in the program's code > command line > properties file >
TSPARK_MASTER > defaults. Configuration keys:
${Object.values(CONFIG_KEYS).map((k) => `  ${k.key}${k.default !== undefined ? ` (default ${k.default})` : ""}\n      ${k.doc}`).join("\n")}`;

/** Launcher options end at the program path; everything after it belongs to the program. */
function splitArgv(argv: string[]): { launcher: string[]; rest: string[] } {
  let i = 0;
  while (i < argv.length) {
    const a = argv[i]!;
    if (!a.startsWith("-")) break;
    const spec = (OPTIONS as Record<string, { type: string }>)[a.replace(/^--?/, "")];
    i += spec?.type === "string" ? 2 : 1; // `--master local` is two tokens; `--master=local` one
  }
  return { launcher: argv.slice(0, i), rest: argv.slice(i) };
}

function fail(message: string): never {
  throw new TsparkError("CONFIG", message);
}

/** The properties file to read: the given one (must exist), else the default one if present. */
function findPropertiesFile(given: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string | undefined {
  if (given !== undefined) {
    const p = resolve(cwd, given);
    if (!existsSync(p)) fail(`--properties-file: ${given} does not exist`);
    return p;
  }
  const dir = env["TSPARK_CONF_DIR"];
  const candidate = dir ? join(resolve(cwd, dir), PROPERTIES_FILE_NAME) : join(cwd, "conf", PROPERTIES_FILE_NAME);
  return existsSync(candidate) ? candidate : undefined;
}

/**
 * Keys whose values the launcher checks before anything starts, with the parser the context
 * uses too. The others are left to the context, which parses every setting when it starts (a
 * refusal there names the key, not the source).
 */
const CHECKED_AT_LAUNCH = [
  CONFIG_KEYS.master, CONFIG_KEYS.driverMemory, CONFIG_KEYS.executorMemory, CONFIG_KEYS.workerMemory,
  CONFIG_KEYS.storageMemory, CONFIG_KEYS.maxResultSize, CONFIG_KEYS.logLevel,
];

/** Checks the values the launcher can check before anything starts; names the source on error. */
function validate(settings: Map<string, Setting>, cwd: string): void {
  const check = (key: string, test: (v: string) => void) => {
    const s = settings.get(key);
    if (!s) return;
    try {
      test(s.value);
    } catch (err) {
      fail(`${s.source}: ${(err as Error).message}`);
    }
  };
  for (const def of CHECKED_AT_LAUNCH) check(def.key, (v) => def.parse(v, def.key));
  check(CONFIG_KEYS.files.key, (v) => {
    const paths = CONFIG_KEYS.files.parse(v, CONFIG_KEYS.files.key);
    for (const f of paths) if (!existsSync(resolve(cwd, f))) throw new Error(`file not found: ${f}`);
    // Absolute, so that a program changing its working directory still finds them.
    settings.set(CONFIG_KEYS.files.key, { ...settings.get(CONFIG_KEYS.files.key)!, value: paths.map((f) => (isAbsolute(f) ? f : resolve(cwd, f))).join(",") });
  });
}

/** Parses the launcher's command line; throws TsparkError "CONFIG" on bad usage. */
export function parseLaunchArgs(argv: string[], env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): LaunchPlan {
  const { launcher, rest } = splitArgv(argv);
  let values: {
    master?: string; name?: string; conf?: string[]; "properties-file"?: string; "driver-memory"?: string;
    "executor-memory"?: string; files?: string[]; verbose?: boolean; help?: boolean; version?: boolean;
  };
  try {
    ({ values } = parseArgs({ args: launcher, options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (err) {
    fail((err as Error).message);
  }
  const settings = new Map<string, Setting>();
  const plan = (propertiesFile?: string): LaunchPlan => ({
    help: values.help ?? false,
    version: values.version ?? false,
    verbose: values.verbose ?? false,
    program: rest[0],
    programArgs: rest.slice(1),
    propertiesFile,
    settings,
  });
  if (values.help || values.version) return plan();
  const put = (key: string, value: string, source: string) => settings.set(canonicalKey(key), { value, source });

  // Lowest first: each source overrides the ones before it.
  if (env["TSPARK_MASTER"]) put(CONFIG_KEYS.master.key, env["TSPARK_MASTER"], "TSPARK_MASTER");
  const propertiesFile = findPropertiesFile(values["properties-file"], env, cwd);
  if (propertiesFile) {
    const shown = propertiesFile.startsWith(cwd + "/") ? propertiesFile.slice(cwd.length + 1) : propertiesFile;
    for (const p of parseProperties(readFileSync(propertiesFile, "utf8"), shown)) put(p.key, p.value, `${shown}:${p.line}`);
  }
  for (const kv of values.conf ?? []) {
    const eq = kv.indexOf("=");
    if (eq <= 0) fail(`--conf expects key=value, got "${kv}"`);
    put(kv.slice(0, eq).trim(), kv.slice(eq + 1), "--conf");
  }
  if (values.master !== undefined) put(CONFIG_KEYS.master.key, values.master, "--master");
  if (values.name !== undefined) {
    if (values.name.trim() === "") fail("--name must not be empty");
    put(CONFIG_KEYS.appName.key, values.name, "--name");
  }
  if (values["driver-memory"] !== undefined) put(CONFIG_KEYS.driverMemory.key, values["driver-memory"], "--driver-memory");
  if (values["executor-memory"] !== undefined) put(CONFIG_KEYS.executorMemory.key, values["executor-memory"], "--executor-memory");
  if (values.files) put(CONFIG_KEYS.files.key, values.files.join(","), "--files");
  validate(settings, cwd);
  return plan(propertiesFile);
}

/** The --verbose report: where the settings came from. */
export function describeSettings(plan: LaunchPlan): string {
  const lines = [`properties file: ${plan.propertiesFile ?? "(none)"}`, "settings (code > command line > properties file > TSPARK_MASTER > defaults):"];
  for (const [k, s] of [...plan.settings].sort(([a], [b]) => (a < b ? -1 : 1))) lines.push(`  ${k}=${s.value}  (${s.source})`);
  if (plan.settings.size === 0) lines.push("  (none: defaults only)");
  return lines.map((l) => `tspark: ${l}`).join("\n") + "\n";
}
