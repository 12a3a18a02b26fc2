/**
 * `tspark history <event-log-file|dir>`: serves the web UI of finished applications, rebuilt
 * from their event logs, until Ctrl-C. A directory is served as Spark's history server serves
 * one: a list of its applications, each one's pages under /history/<appId>/. The pages are
 * the live UI's own.
 */
import { parseArgs } from "node:util";
import { eventLogPaths, historyBanner, replayEventLog, replayNotes, type ReplayedLog } from "../ui/event-log.js";
import { WebUi } from "../ui/web-ui.js";
import { CONFIG_KEYS } from "../config/keys.js";
import { newAccessToken } from "../ui/access-token.js";
import { TsparkError } from "../errors.js";

export const HISTORY_USAGE = `Usage: tspark history [--port <n>] [--host <addr>] <event-log-file|directory>

Serves the web UI of applications from their event logs (written with
--conf tspark.eventLog.enabled=true): one log's application, or a directory's
applications, listed with their status, each with its own pages. Options:
  --port <n>     port (default 18080, the next free one when taken; 0 = any)
  --host <addr>  address to bind (default ${CONFIG_KEYS.uiHost.default})`;

export async function history(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { port: { type: "string" }, host: { type: "string" }, help: { type: "boolean" } },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HISTORY_USAGE + "\n");
    return;
  }
  if (positionals.length !== 1) throw new Error(`expected one event log file or directory\n\n${HISTORY_USAGE}`);
  const port = Number(values.port ?? 18080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, got "${values.port}"`);
  const where = positionals[0]!;
  const paths = eventLogPaths(where);
  const opts = { host: values.host ?? CONFIG_KEYS.uiHost.default, port, live: false, token: newAccessToken() };
  let ui: WebUi;
  if (paths.length === 1 && paths[0] === where) {
    const log = replayEventLog(where);
    const app = log.store.app!;
    const notes = replayNotes(log);
    ui = await WebUi.start(log.store, { ...opts, banner: historyBanner(log) });
    process.stdout.write(`tspark history: ${app.appName} (${app.appId}), ${log.events} events from ${log.path}${notes.length ? ` (${notes.join("; ")})` : ""}\n`);
  } else {
    // Every log of the directory, replayed now (the list shows each one's status); a file that is no event log is named and left out.
    const apps: ReplayedLog[] = [];
    for (const path of paths) {
      try {
        apps.push(replayEventLog(path));
      } catch (err) {
        process.stderr.write(`tspark history: skipped ${path}: ${(err as Error).message}\n`);
      }
    }
    if (apps.length === 0) throw new TsparkError("INVALID_ARGUMENT", `no tspark event logs in ${where}`);
    ui = await WebUi.start(apps, { ...opts, banner: `History from ${where}` });
    const incomplete = apps.filter((a) => a.incomplete).length;
    process.stdout.write(`tspark history: ${apps.length} application${apps.length === 1 ? "" : "s"} from ${where}${incomplete ? ` (${incomplete} without an end: crashed, killed, or still running)` : ""}\n`);
  }
  process.stdout.write(`tspark history: serving at ${ui.accessUrl} (Ctrl-C to stop)\n`);
  await new Promise<void>((resolve) => {
    const done = () => resolve();
    process.once("SIGINT", done);
    process.once("SIGTERM", done);
  });
  await ui.close();
}
