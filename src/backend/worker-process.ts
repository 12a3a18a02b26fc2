/**
 * The driver's handle on one worker process: spawns it (or adopts one the launcher started,
 * standby-workers.ts), speaks the frame protocol on its control channel, remembers which
 * closures it already holds, and reports its death.
 */
import type { ChildProcess } from "node:child_process";
import type net from "node:net";
import type { Readable } from "node:stream";
import { FrameDecoder, encodeFrame } from "../serde/framing.js";
import { encodeMessage, decodeMessage } from "../serde/message-codec.js";
import { HEARTBEAT_FD, HEARTBEAT_MS, type DriverMessage, type WorkerMessage } from "../worker/transport/protocol.js";
import type { WorkerLoss } from "./backend.js";
import { TsparkError } from "../errors.js";
import { VERSION } from "../version.js";
import { ByteLru } from "../util/byte-lru.js";
import { CLOSURE_CACHE_BYTES, type ClosureId } from "../scheduler/plan.js";
import { spawnWorker } from "./worker-spawn.js";
import { takeStandbyWorker } from "./standby-workers.js";

const STDERR_TAIL_LINES = 20;

/** Which of a worker's output streams a line came from. */
export type OutputStream = "stdout" | "stderr";

export interface WorkerOptions {
  executorId: string;
  /** Extra node flags for the worker (e.g. a heap limit). */
  nodeArgs: string[];
  env: NodeJS.ProcessEnv;
  /** Where the worker's own stdout/stderr lines go (the driver's stderr by default). */
  echo: (line: string, stream: OutputStream) => void;
  /** How long the worker may send no heartbeat before it is killed (tspark.worker.timeout). */
  heartbeatTimeoutMs: number;
}

export class WorkerProcess {
  readonly executorId: string;
  readonly pid: number;
  /** The closures this worker holds (tasks carry only the others' bytes), bounded as it bounds them. */
  readonly closures = new ByteLru<ClosureId>(CLOSURE_CACHE_BYTES);
  readonly stderrTail: string[] = [];
  completedTasks = 0;
  peakRssBytes = 0;
  failedTasks = 0;
  runningTaskId: number | undefined;
  /** Why the driver killed this worker, when its control stream was corrupt. */
  protocolError: string | undefined;
  /** Set when the driver killed this worker for its silence: how long it sent no heartbeat. */
  private silentMs: number | undefined;
  private lastHeartbeat = Date.now();
  private readonly heartbeats: net.Socket;
  private readonly heartbeatCheck: NodeJS.Timeout;
  /** Set once the worker has said hello (it may take tasks). */
  isReady = false;
  private readonly child: ChildProcess;
  private readonly channel: net.Socket;
  private readonly decoder = new FrameDecoder();
  private readonly helloP: Promise<void>;
  private exitInfo: { code: number | null; signal: string | null } | undefined;
  private readonly exitWaiters: Array<() => void> = [];
  onMessage: (msg: WorkerMessage, frameBytes: number) => void = () => {};
  onExit: (loss: WorkerLoss) => void = () => {};

  constructor(opts: WorkerOptions) {
    this.executorId = opts.executorId;
    // A standby worker the launcher started (standby-workers.ts) if one fits, else a new one.
    const standby = takeStandbyWorker(opts.nodeArgs, opts.env);
    this.child = standby?.child ?? spawnWorker(opts.nodeArgs, opts.env);
    this.pid = this.child.pid ?? -1;
    this.channel = this.child.stdio[3] as net.Socket;
    if (standby) this.send({ type: "adopt", env: standby.env });
    // A thread of the worker's writes a byte every HEARTBEAT_MS, busy task or not: silence
    // means the process was stopped, or hangs where no JavaScript runs.
    this.heartbeats = this.child.stdio[HEARTBEAT_FD] as net.Socket;
    this.heartbeats.on("data", () => (this.lastHeartbeat = Date.now()));
    this.heartbeats.on("error", () => {});
    const checkEvery = Math.min(1000, Math.max(HEARTBEAT_MS, opts.heartbeatTimeoutMs / 4));
    let lastCheck = Date.now();
    this.heartbeatCheck = setInterval(() => {
      const now = Date.now();
      // The driver itself was not running (a long synchronous step, a debugger): the beats
      // that came meanwhile are still unread (timers run before I/O), so none is missing yet.
      if (now - lastCheck > 2 * checkEvery) this.lastHeartbeat = now;
      lastCheck = now;
      const silent = now - this.lastHeartbeat;
      if (silent <= opts.heartbeatTimeoutMs || !this.alive) return;
      this.silentMs = silent;
      this.kill();
    }, checkEvery);
    this.heartbeatCheck.unref();
    this.pipeLines(this.child.stdout!, (line) => opts.echo(line, "stdout"), false);
    this.pipeLines(this.child.stderr!, (line) => opts.echo(line, "stderr"), true);
    let helloResolve!: () => void;
    let helloReject!: (e: Error) => void;
    this.helloP = new Promise((res, rej) => {
      helloResolve = res;
      helloReject = rej;
    });
    this.helloP.catch(() => {});
    let greeted = false;
    this.channel.on("data", (chunk: Buffer) => {
      let frames: Buffer[];
      try {
        frames = this.decoder.push(chunk);
      } catch (err) {
        // A corrupt stream cannot be resynchronized: the worker is replaced, and the task's
        // error says why.
        this.protocolError = (err as Error).message;
        this.kill();
        helloReject(err as Error);
        return;
      }
      for (const f of frames) {
        const msg = decodeMessage<WorkerMessage>(f);
        if (msg.type === "hello") {
          greeted = true;
          if (msg.version !== VERSION) {
            this.kill();
            helloReject(new TsparkError("PROTOCOL", `worker runs tspark ${msg.version} but the driver runs ${VERSION}`));
          } else {
            this.isReady = true;
            helloResolve();
          }
        } else this.onMessage(msg, f.length);
      }
    });
    this.channel.on("error", () => {});
    this.child.on("exit", (code, signal) => {
      this.exitInfo = { code, signal };
      clearInterval(this.heartbeatCheck);
      if (!greeted) helloReject(new TsparkError("WORKER_LOST", `worker process ${this.pid} exited during start-up (code ${code}, signal ${signal})${this.tailText()}`));
      this.onExit({ pid: this.pid, exitCode: code, signal, stderrTail: [...this.stderrTail], protocolError: this.protocolError, silentMs: this.silentMs });
      for (const w of this.exitWaiters) w();
    });
    this.child.on("error", (err) => helloReject(err));
    this.setIdle(true);
  }

  private tailText(): string {
    return this.stderrTail.length ? `; its last stderr lines:\n  ${this.stderrTail.join("\n  ")}` : "";
  }

  private pipeLines(stream: Readable, echo: (line: string) => void, keepTail: boolean): void {
    let partial = "";
    stream.setEncoding("utf8");
    stream.on("data", (text: string) => {
      const lines = (partial + text).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) {
        echo(line);
        if (keepTail) {
          this.stderrTail.push(line);
          if (this.stderrTail.length > STDERR_TAIL_LINES) this.stderrTail.shift();
        }
      }
    });
    stream.on("end", () => {
      if (partial) echo(partial);
    });
  }

  ready(): Promise<void> {
    return this.helloP;
  }

  get alive(): boolean {
    return this.exitInfo === undefined;
  }

  send(msg: DriverMessage): void {
    this.channel.write(encodeFrame(encodeMessage(msg)));
  }

  /**
   * An idle worker must not keep the driver's event loop alive: a program that forgets
   * `sc.stop()` still exits, and its workers follow when their channel closes.
   */
  setIdle(idle: boolean): void {
    const handles = [this.child, this.channel, this.heartbeats, this.child.stdout, this.child.stderr] as Array<{ ref?: () => void; unref?: () => void } | null>;
    for (const h of handles) {
      if (idle) h?.unref?.();
      else h?.ref?.();
    }
  }

  kill(signal: NodeJS.Signals = "SIGKILL"): void {
    if (this.alive) this.child.kill(signal);
  }

  /** Asks the worker to exit; kills it if it has not within `graceMs`. */
  async shutdown(graceMs = 2000): Promise<void> {
    if (!this.alive) return;
    // Held until it has exited: an idle worker's handles are unreferenced, and the kill after
    // the grace would otherwise leave nothing keeping the driver's event loop alive to see the
    // exit (a program awaiting sc.stop() then ended with code 13, the code after it never run).
    this.setIdle(false);
    const exited = new Promise<void>((res) => this.exitWaiters.push(res));
    try {
      this.send({ type: "shutdown" });
    } catch {
      /* channel already closed */
    }
    const timer = setTimeout(() => this.kill(), graceMs);
    await exited;
    clearTimeout(timer);
  }
}
