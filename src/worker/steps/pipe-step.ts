/**
 * rdd.pipe(command): streams a partition through an external process. Records go to its
 * stdin one per line (with backpressure), its stdout lines come back as records.
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { once } from "node:events";
import { type BatchStream, BATCH_RECORDS } from "../batch-stream.js";
import { registerStep } from "./step-registry.js";
import { formatRecord } from "../../util/format.js";
import { TsparkError } from "../../errors.js";

registerStep("pipe", (input: BatchStream<unknown>, ctx) => {
  const { command, env, checkCode } = ctx.args;
  return (async function* () {
    const child = spawn("/bin/sh", ["-c", command], { stdio: ["pipe", "pipe", "inherit"], env: { ...process.env, ...env } });
    const exited = once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
    let writeError: unknown;
    const feed = (async () => {
      try {
        for await (const batch of input as AsyncIterable<unknown[]>) {
          const text = batch.map((r) => formatRecord(r) + "\n").join("");
          if (!child.stdin.write(text)) await once(child.stdin, "drain");
        }
      } catch (err) {
        // EPIPE: the command stopped reading (e.g. `head`); its output is still the result.
        if ((err as NodeJS.ErrnoException).code !== "EPIPE") writeError = err;
      } finally {
        child.stdin.end();
      }
    })();
    child.stdin.on("error", () => {});
    let batch: string[] = [];
    for await (const line of createInterface({ input: child.stdout, crlfDelay: Infinity })) {
      batch.push(line);
      if (batch.length >= BATCH_RECORDS) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
    await feed;
    if (writeError) throw writeError;
    const [code, signal] = await exited;
    if (checkCode && code !== 0) {
      throw new TsparkError("TASK_FAILED", `Pipe function \`${command}\` exited with error code ${code ?? signal}`);
    }
  })();
});
