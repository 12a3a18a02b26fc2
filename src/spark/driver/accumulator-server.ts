/**
 * Where Spark's driver JVM hands over the reports of tspark's tasks (their accumulator
 * additions and metrics), as PySpark's accumulator server does. Each task's worker sends its
 * report after its records (one update: task-report.ts); the executor adds it to the task's
 * PythonAccumulatorV2, and when the task succeeds (only then: a failed or retried attempt's
 * additions never count) the driver JVM merges it by
 * connecting here: the secret once (raw bytes, no length), then per merge an int32 count and
 * that many frames, answered with one byte.
 */
import net from "node:net";
import { randomBytes, timingSafeEqual } from "node:crypto";
import { decodeTaskReport, type TaskReport } from "../task-report.js";
import { log } from "../../util/log.js";
import { WireEOFError, WireReader, WireWriter } from "../wire/wire.js";

export class AccumulatorServer {
  readonly secret = randomBytes(24).toString("hex");
  private readonly connections = new Set<net.Socket>();

  private constructor(private readonly server: net.Server, readonly port: number) {}

  /** Listens on the loopback interface; `merge` gets each successful task's report. */
  static async start(merge: (report: TaskReport) => void): Promise<AccumulatorServer> {
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", resolve);
    });
    const self = new AccumulatorServer(server, (server.address() as net.AddressInfo).port);
    server.on("connection", (socket) => void self.serve(socket, merge));
    // The driver's process may end while it listens (a program without sc.stop()).
    server.unref();
    return self;
  }

  private async serve(socket: net.Socket, merge: (report: TaskReport) => void): Promise<void> {
    this.connections.add(socket);
    socket.unref();
    const reader = new WireReader(socket);
    const writer = new WireWriter(socket);
    try {
      const expected = Buffer.from(this.secret, "utf8");
      const got = await reader.readBytes(expected.length);
      if (!timingSafeEqual(got, expected)) throw new Error("a connection to the accumulator server presented the wrong secret");
      for (;;) {
        const n = await reader.readInt32();
        for (let i = 0; i < n; i++) {
          const update = await reader.readFrame();
          if (typeof update === "number") throw new Error(`unexpected length ${update} in an accumulator update`);
          merge(decodeTaskReport(update));
        }
        writer.bool(true);
        await writer.flush();
      }
    } catch (err) {
      // The JVM closes the connection when Spark stops; anything else is worth a line.
      if (!(err instanceof WireEOFError)) log("WARN", "spark", `accumulator updates: ${(err as Error).message}`);
    } finally {
      this.connections.delete(socket);
      socket.destroy();
    }
  }

  close(): void {
    for (const s of this.connections) s.destroy();
    this.server.close();
  }
}
