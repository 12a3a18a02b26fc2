/**
 * Starts Spark's JVM the way the `pyspark` shell does: `spark-submit ... pyspark-shell` runs
 * Spark's gateway server, which writes its port and secret to a file the driver names; the
 * driver then talks to it with the Py4J client. The JVM's stdin is a pipe from the driver:
 * the gateway exits at its end of file, so the JVM ends when the driver ends, even when the
 * driver is killed.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { TsparkError } from "../../errors.js";
import { Py4JClient } from "../py4j/py4j-client.js";
import type { SparkInstallation } from "./spark-home.js";

export interface GatewayOptions {
  spark: SparkInstallation;
  /** spark-submit's --master (Spark's own master URLs: local[N], local-cluster[...], spark://...). */
  master?: string;
  /** Spark settings, each passed as spark-submit's --conf. */
  conf?: ReadonlyArray<readonly [string, string]>;
  /** How long the JVM may take to open its gateway. */
  startTimeoutMs?: number;
  /** Each line the JVM writes (its log); the last lines also go into any start error. */
  onOutput?: (line: string) => void;
}

/** Lines of the JVM's output kept for error messages. */
const KEPT_LINES = 30;

/** A running Spark JVM and the client connected to its gateway. */
export class SparkGateway {
  private exited: Promise<void>;
  private stopping: Promise<void> | undefined;
  /** Kills the JVM if the driver exits without stop() (an uncaught error, process.exit). */
  private readonly onExit = () => this.kill("SIGKILL");

  constructor(
    readonly client: Py4JClient,
    private readonly jvm: ChildProcess,
    /** Where the gateway listens, and its secret: other clients (other threads) connect with them. */
    readonly port: number,
    readonly secret: string,
  ) {
    this.exited = new Promise((resolve) => (jvm.exitCode !== null || jvm.signalCode !== null ? resolve() : jvm.once("exit", () => resolve())));
    process.once("exit", this.onExit);
  }

  /** The JVM's process id. */
  get pid(): number {
    return this.jvm.pid!;
  }

  /**
   * Closes the gateway's input so the JVM exits; one that has not after `graceMs` is
   * terminated, then killed. Resolves when it is gone.
   */
  stop(graceMs = 10_000): Promise<void> {
    this.stopping ??= (async () => {
      process.removeListener("exit", this.onExit);
      this.client.close();
      this.jvm.stdin?.end();
      if (await exitsWithin(this.exited, graceMs)) return;
      this.kill("SIGTERM");
      if (await exitsWithin(this.exited, 5_000)) return;
      this.kill("SIGKILL");
      await this.exited;
    })();
    return this.stopping;
  }

  private kill(signal: NodeJS.Signals): void {
    killGroup(this.jvm, signal);
  }
}

/** Signals the JVM's process group (it leads its own, see launchGateway): what it started too. */
function killGroup(jvm: ChildProcess, signal: NodeJS.Signals): void {
  if (jvm.pid === undefined) return; // never started
  try {
    process.kill(-jvm.pid, signal);
  } catch {
    /* already gone */
  }
}

function exitsWithin(exited: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    exited.then(() => true),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
  ]).finally(() => clearTimeout(timer));
}

/** Starts the JVM and connects to its gateway; fails with the JVM's last output if it does not come up. */
export async function launchGateway(options: GatewayOptions): Promise<SparkGateway> {
  const { spark } = options;
  const infoDir = mkdtempSync(join(os.tmpdir(), "tspark-gateway-"));
  const infoPath = join(infoDir, "connection-info");
  const args = [
    ...(options.master !== undefined ? ["--master", options.master] : []),
    ...(options.conf ?? []).flatMap(([k, v]) => ["--conf", `${k}=${v}`]),
    "pyspark-shell",
  ];
  const jvm = spawn(join(spark.home, "bin", "spark-submit"), args, {
    env: {
      ...process.env,
      SPARK_HOME: spark.home,
      _PYSPARK_DRIVER_CONN_INFO_PATH: infoPath,
      // The classic gateway: one JVM thread per connection, no callback server.
      PYSPARK_PIN_THREAD: "false",
      SPARK_CONNECT_MODE: "0",
    },
    stdio: ["pipe", "pipe", "pipe"],
    // Its own process group: a Ctrl-C at the terminal reaches the driver, which stops the JVM
    // in order, instead of killing the JVM under a running job.
    detached: true,
  });
  const lastLines: string[] = [];
  for (const stream of [jvm.stdout!, jvm.stderr!]) {
    let partial = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      const lines = (partial + chunk).split("\n");
      partial = lines.pop()!;
      for (const line of lines) {
        lastLines.push(line);
        if (lastLines.length > KEPT_LINES) lastLines.shift();
        options.onOutput?.(line);
      }
    });
  }
  let spawnError: Error | undefined;
  jvm.once("error", (err) => (spawnError = err));
  const gone = () => spawnError !== undefined || jvm.exitCode !== null || jvm.signalCode !== null;
  const deadline = Date.now() + (options.startTimeoutMs ?? 120_000);
  try {
    while (!existsSync(infoPath)) {
      const exited = gone();
      if (exited || Date.now() > deadline) {
        // (the JVM still running after the deadline is killed below, with any failure)
        const why = spawnError
          ? `could not run ${join(spark.home, "bin", "spark-submit")}: ${spawnError.message}`
          : exited
            ? `Spark's JVM exited (${jvm.exitCode !== null ? `exit code ${jvm.exitCode}` : jvm.signalCode}) before its gateway started`
            : `Spark's JVM did not start its gateway within ${Math.round((options.startTimeoutMs ?? 120_000) / 1000)} s`;
        const tail = lastLines.filter((l) => l.trim()).slice(-10).join("\n");
        throw new TsparkError("SPARK_UNAVAILABLE", `${why}${tail ? `; its last output:\n${tail}` : ""}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const { port, secret } = readConnectionInfo(readFileSync(infoPath));
    const client = await Py4JClient.connect(port, secret);
    return new SparkGateway(client, jvm, port, secret);
  } catch (err) {
    killGroup(jvm, "SIGKILL");
    throw err;
  } finally {
    rmSync(infoDir, { recursive: true, force: true });
  }
}

/** The gateway's connection file: int32 port, then the secret as an int32 length and UTF-8 bytes. */
export function readConnectionInfo(bytes: Buffer): { port: number; secret: string } {
  if (bytes.length < 8) throw new TsparkError("PROTOCOL", "Spark's gateway wrote a truncated connection file");
  const port = bytes.readInt32BE(0);
  const length = bytes.readInt32BE(4);
  if (bytes.length < 8 + length) throw new TsparkError("PROTOCOL", "Spark's gateway wrote a truncated connection file");
  return { port, secret: bytes.subarray(8, 8 + length).toString("utf8") };
}
