/**
 * `tspark history <event-log-file|dir>`: serves the web UI of a finished application,
 * rebuilt from its event log, until Ctrl-C. The pages are the live UI's own.
 */
import { parseArgs } from "node:util";
import { resolveEventLog, replayEventLog } from "../ui/event-log.js";
import { WebUi } from "../ui/web-ui.js";
import { CONFIG_KEYS } from "../config/keys.js";
import { newAccessToken } from "../ui/access-token.js";

export const HISTORY_USAGE = `Usage: tspark history [--port <n>] [--host <addr>] <event-log-file|directory>

Serves the web UI of an application from its event log (written with
--conf tspark.eventLog.enabled=true); a directory means its newest log. Options:
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
  const log = replayEventLog(resolveEventLog(positionals[0]!));
  const app = log.store.app!;
  const notes = [
    log.incomplete ? "the log has no application end (it crashed, was killed, or still runs): showing what it logged" : "",
    log.badLines ? `${log.badLines} unreadable line(s) skipped` : "",
  ].filter(Boolean);
  const banner = `History of ${app.appName} (${app.appId}) from ${log.path}${notes.length ? `; ${notes.join("; ")}` : ""}`;
  const ui = await WebUi.start(log.store, { host: values.host ?? CONFIG_KEYS.uiHost.default, port, live: false, banner, token: newAccessToken() });
  process.stdout.write(`tspark history: ${app.appName} (${app.appId}), ${log.events} events from ${log.path}${notes.length ? ` (${notes.join("; ")})` : ""}\n`);
  process.stdout.write(`tspark history: serving at ${ui.accessUrl} (Ctrl-C to stop)\n`);
  await new Promise<void>((resolve) => {
    const done = () => resolve();
    process.once("SIGINT", done);
    process.once("SIGTERM", done);
  });
  await ui.close();
}
