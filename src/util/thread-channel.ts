/**
 * Calls into a worker thread that the caller may wait for synchronously or asynchronously.
 * A synchronous call blocks the calling thread (Atomics.wait) while the worker thread's own
 * event loop does the asynchronous work, so a synchronous API can wait for I/O (as
 * SparkContext's constructor waits for Spark's JVM, like PySpark's does).
 *
 * Written here rather than taken from synckit: synckit's calls are synchronous only and it
 * rewrites the thread's execArgv for TypeScript runners; this thread is long-lived, owns a
 * child process, and is also called asynchronously (stopping it must not block the driver).
 */
import { MessageChannel, Worker, parentPort, receiveMessageOnPort, workerData, type MessagePort } from "node:worker_threads";
import { TsparkError, type TsparkErrorCode } from "../errors.js";

interface Request {
  id: number;
  op: string;
  args: unknown[];
  /** Answered on the synchronous port (the caller is blocked on the flag). */
  sync: boolean;
}

type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: { name: string; message: string; code?: string; stack?: string } };

/** Sent by the thread on its own (not an answer): e.g. a line of a child process's output. */
interface Notice {
  notice: unknown;
}

interface ThreadData {
  /** Int32 flag the blocked caller waits on: the thread sets it to 1 and notifies after answering. */
  flag: SharedArrayBuffer;
  syncReplies: MessagePort;
  asyncReplies: MessagePort;
}

type Handlers = Record<string, (...args: never[]) => unknown>;

/** The caller's side: one worker thread running `file`, which calls serveThreadCalls. */
export class ThreadChannel {
  private readonly worker: Worker;
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));
  private readonly syncReplies: MessagePort;
  private readonly asyncReplies: MessagePort;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private exitError: Error | undefined;

  constructor(file: URL, onNotice: (notice: unknown) => void) {
    const sync = new MessageChannel();
    const async = new MessageChannel();
    this.syncReplies = sync.port1;
    this.asyncReplies = async.port1;
    const data: ThreadData = { flag: this.flag.buffer as SharedArrayBuffer, syncReplies: sync.port2, asyncReplies: async.port2 };
    // No execArgv: the thread runs compiled modules, not the user's TypeScript.
    this.worker = new Worker(file, { workerData: data, transferList: [sync.port2, async.port2], execArgv: [] });
    this.worker.unref();
    this.asyncReplies.on("message", (m: Reply | Notice) => {
      if ("notice" in m) return onNotice(m.notice);
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (this.pending.size === 0) this.asyncReplies.unref();
      if (m.ok) p.resolve(m.value);
      else p.reject(revive(m.error));
    });
    this.asyncReplies.unref();
    this.worker.on("error", (err) => this.failAll(err));
    this.worker.on("exit", (code) => this.failAll(new Error(`the thread running ${file.pathname} exited (code ${code})`)));
  }

  /** Runs `op` on the thread and blocks this thread until it answers (or `timeoutMs` passes). */
  callSync<T>(op: string, args: unknown[], timeoutMs: number): T {
    if (this.exitError) throw this.exitError;
    const id = this.nextId++;
    const deadline = Date.now() + timeoutMs;
    this.worker.postMessage({ id, op, args, sync: true } satisfies Request);
    for (;;) {
      // Answers to earlier calls that timed out are dropped.
      for (let m = receiveMessageOnPort(this.syncReplies); m; m = receiveMessageOnPort(this.syncReplies)) {
        const reply = m.message as Reply;
        if (reply.id !== id) continue;
        if (!reply.ok) throw revive(reply.error);
        return reply.value as T;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${op} did not finish within ${timeoutMs} ms`);
      Atomics.wait(this.flag, 0, 0, left);
      Atomics.store(this.flag, 0, 0);
    }
  }

  /** Runs `op` on the thread; keeps the process alive until it answers. */
  call<T>(op: string, args: unknown[]): Promise<T> {
    if (this.exitError) return Promise.reject(this.exitError);
    const id = this.nextId++;
    const answer = new Promise<T>((resolve, reject) => this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject }));
    this.asyncReplies.ref();
    this.worker.postMessage({ id, op, args, sync: false } satisfies Request);
    return answer;
  }

  /** Ends the thread (what it started and did not stop is its own business). */
  async close(): Promise<void> {
    await this.worker.terminate();
    this.asyncReplies.close();
    this.syncReplies.close();
  }

  private failAll(err: Error): void {
    this.exitError ??= err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    this.asyncReplies.unref();
  }
}

function revive(e: { name: string; message: string; code?: string; stack?: string }): Error {
  const err = e.code !== undefined ? new TsparkError(e.code as TsparkErrorCode, e.message) : new Error(e.message);
  err.name = e.name;
  if (e.stack) err.stack = e.stack;
  return err;
}

/** The thread's side: answers each call with the handler of its op. */
export function serveThreadCalls(handlers: Handlers): { notify: (notice: unknown) => void } {
  const data = workerData as ThreadData;
  const flag = new Int32Array(data.flag);
  parentPort!.on("message", async (req: Request) => {
    let reply: Reply;
    try {
      const handler = handlers[req.op];
      if (!handler) throw new Error(`no such thread call: ${req.op}`);
      reply = { id: req.id, ok: true, value: await (handler as (...a: unknown[]) => unknown)(...req.args) };
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      reply = { id: req.id, ok: false, error: { name: e.name, message: e.message, code: (e as { code?: unknown }).code as string | undefined, stack: e.stack } };
    }
    if (req.sync) {
      data.syncReplies.postMessage(reply);
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
    } else {
      data.asyncReplies.postMessage(reply);
    }
  });
  return { notify: (notice) => data.asyncReplies.postMessage({ notice } satisfies Notice) };
}
