/**
 * A pseudo-terminal for end-to-end tests, from util-linux's `script` (in every Debian
 * install, no native build): the command sees a TTY on stdin/stdout/stderr, and the test
 * reads what the terminal would show and types keys (Ctrl-C is "\x03").
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Terminal output without escape sequences (cursor moves, colors) and carriage returns. */
export function plain(text: string): string {
  // eslint-disable-next-line no-control-regex -- ANSI escape sequences start with ESC
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "").replace(/\r/g, "");
}

export class Terminal {
  private raw = "";
  /** Where the next expect() starts looking (in plain text). */
  private mark = 0;
  private readonly child: ChildProcess;
  readonly exited: Promise<number | null>;

  constructor(command: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }) {
    this.child = spawn("script", ["-qfec", command.map(quote).join(" "), "/dev/null"], {
      cwd: options.cwd,
      env: { ...process.env, TERM: "xterm", ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    this.child.stdout!.on("data", (d: Buffer) => (this.raw += d.toString()));
    this.child.stderr!.on("data", (d: Buffer) => (this.raw += d.toString()));
    this.exited = new Promise((resolve) => this.child.on("exit", (code) => resolve(code)));
  }

  /** Everything shown so far, escape sequences included. */
  get output(): string {
    return this.raw;
  }

  get text(): string {
    return plain(this.raw);
  }

  /** Waits for `pattern` after the previous match; fails with the screen so far after `timeoutMs`. */
  async expect(pattern: RegExp, timeoutMs = 30_000): Promise<RegExpExecArray> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const rest = this.text.slice(this.mark);
      const m = new RegExp(pattern.source, pattern.flags.replace("g", "")).exec(rest);
      if (m) {
        this.mark += m.index + m[0].length;
        return m;
      }
      if (Date.now() > end) throw new Error(`timed out waiting for ${pattern} in:\n${rest}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  send(keys: string): void {
    this.child.stdin!.write(keys);
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill("SIGKILL");
  }
}

/**
 * Checks a progress bar on the raw terminal output: `bar` was drawn in place (after a carriage
 * return) and blanked out before `next` was printed.
 */
export function assertBarDrawnThenCleared(raw: string, bar: string, next: string): void {
  const drawn = raw.lastIndexOf(`\r${bar}`);
  assert.ok(drawn >= 0, "drawn after a carriage return, in place");
  const cleared = raw.indexOf(`\r${" ".repeat(bar.length)}\r`, drawn);
  assert.ok(cleared > drawn && cleared < raw.indexOf(next), "cleared before the program printed");
}
