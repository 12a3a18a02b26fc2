/**
 * --driver-memory: V8 fixes its heap limit when it starts, so the launcher runs the driver
 * again in a child node with --max-old-space-size. The parent only relays: its terminal
 * signals reach the child anyway (same process group), SIGTERM/SIGHUP are forwarded, and it
 * exits with the child's status. The child leaves if the parent dies (its IPC channel closes),
 * which runs its exit handlers: workers stopped, temporary files removed.
 */
import { spawn } from "node:child_process";
import { constants } from "node:os";
import { heapMegabytes, parseBytes } from "../config/bytes.js";

/** Set in the child's environment: the heap it was started with (MB). */
const CHILD_ENV = "TSPARK_DRIVER_HEAP_MB";

/**
 * Whether this process is the driver child started with the wanted heap. The mark is taken
 * out of the environment at once: a `tspark --driver-memory` that the program starts itself
 * must not inherit it (it would take itself for a child and skip its own relay).
 */
const driverChild = process.env[CHILD_ENV] !== undefined;
delete process.env[CHILD_ENV];

/** True when this process is the driver child started with the wanted heap. */
export function isDriverChild(): boolean {
  return driverChild;
}

/** In the child: exit (running the exit handlers) when the relaying parent is gone. */
export function followParent(): void {
  if (!isDriverChild() || !process.channel) return;
  process.channel.unref(); // the channel alone must not keep a finished program alive
  process.on("disconnect", () => process.exit(1));
}

/** Runs `cli argv` again in a node with a heap of `size`; resolves with the exit code to use. */
export function relayToDriverChild(cli: string, argv: string[], size: string): Promise<number> {
  const mb = heapMegabytes(parseBytes(size));
  const child = spawn(process.execPath, [...process.execArgv, `--max-old-space-size=${mb}`, cli, ...argv], {
    stdio: ["inherit", "inherit", "inherit", "ipc"],
    env: { ...process.env, [CHILD_ENV]: String(mb) },
  });
  // Ctrl-C goes to the whole foreground process group: the child decides what it means.
  const ignore = () => {};
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on("SIGINT", ignore);
  process.on("SIGTERM", forward);
  process.on("SIGHUP", forward);
  return new Promise((resolveCode, reject) => {
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      process.removeListener("SIGINT", ignore);
      process.removeListener("SIGTERM", forward);
      process.removeListener("SIGHUP", forward);
      resolveCode(code ?? 128 + (signal ? constants.signals[signal] : 1));
    });
  });
}
