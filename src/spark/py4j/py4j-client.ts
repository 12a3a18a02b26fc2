/**
 * A Py4J client: calls methods, constructors and fields of JVM objects through Spark's
 * gateway. Each connection carries one command at a time (the gateway runs one JVM thread per
 * connection), so commands take an idle connection from a small pool, or open one: a long
 * call (a job) never holds up another (a cancellation).
 */
import net from "node:net";
import { TsparkError } from "../../errors.js";
import {
  arrayItemCommand, authCommand, callCommand, constructCommand, decodeAnswer, exceptionTextCommand, fieldCommand, releaseCommand, staticTarget,
  type JavaArg, type JavaRef, type RefKind, type ReturnValue,
} from "./protocol.js";

/** A JVM object the driver holds; released when garbage-collected here, or by release(). */
export class JavaObject implements JavaRef {
  constructor(
    readonly javaId: string,
    readonly refKind: RefKind,
    private readonly client: Py4JClient,
  ) {}

  /** Calls a method of this object: `await conf.call("set", "spark.app.name", "x")`. */
  call(method: string, ...args: JavaArg[]): Promise<JavaValue> {
    return this.client.call(this, method, ...args);
  }

  /** Lets the JVM collect the object now. */
  release(): Promise<void> {
    return this.client.release(this);
  }
}

/** What a JVM call gives back. */
export type JavaValue = null | undefined | boolean | number | bigint | string | Buffer | JavaObject;

/** Calls into the JVM: the client's (any of its threads), or those of one thread (onOneThread). */
export interface JvmCalls {
  call(target: JavaRef, method: string, ...args: JavaArg[]): Promise<JavaValue>;
  callStatic(className: string, method: string, ...args: JavaArg[]): Promise<JavaValue>;
  construct(className: string, ...args: JavaArg[]): Promise<JavaObject>;
  arrayItem(array: JavaRef, index: number): Promise<JavaValue>;
}

/** An exception thrown in the JVM by a call the driver made. */
export class JvmError extends TsparkError {
  constructor(
    what: string,
    /** The Java exception's first line, e.g. `java.lang.NumberFormatException: For input string: "x"`. */
    readonly javaMessage: string,
    /** The whole Java stack trace, when the JVM gave one. */
    readonly javaStackTrace: string | undefined,
  ) {
    super("JVM_ERROR", `${what} failed in the JVM: ${javaMessage}`);
  }
}

/** One authenticated socket, reading answer lines. */
class Connection {
  private buffered = "";
  private readonly waiting: Array<{ resolve: (line: string) => void; reject: (err: Error) => void }> = [];
  private closedError: Error | undefined;

  private constructor(private readonly socket: net.Socket) {
    socket.setEncoding("utf8");
    socket.setNoDelay(true);
    socket.on("data", (chunk: string) => {
      this.buffered += chunk;
      for (let nl = this.buffered.indexOf("\n"); nl >= 0; nl = this.buffered.indexOf("\n")) {
        const line = this.buffered.slice(0, nl);
        this.buffered = this.buffered.slice(nl + 1);
        this.waiting.shift()?.resolve(line);
      }
      if (this.waiting.length === 0) socket.unref();
    });
    const fail = (err: Error) => {
      this.closedError ??= err;
      for (const w of this.waiting.splice(0)) w.reject(this.closedError);
    };
    socket.on("error", (err) => fail(gatewayLost(err.message)));
    socket.on("close", () => fail(gatewayLost("the connection closed")));
  }

  static async open(port: number, secret: string, host: string): Promise<Connection> {
    const socket = net.connect(port, host);
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", (err) => reject(gatewayLost(err.message)));
    });
    const c = new Connection(socket);
    const answer = decodeAnswer(await c.send(authCommand(secret)));
    if (!answer.ok) {
      c.close();
      throw new TsparkError("SPARK_UNAVAILABLE", "the Spark gateway refused tspark's secret");
    }
    return c;
  }

  get closed(): boolean {
    return this.closedError !== undefined;
  }

  send(command: string): Promise<string> {
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      // Only a call in flight keeps the driver alive: a program that ends without stop() exits (its exit handler kills the JVM).
      this.socket.ref();
      this.socket.write(command);
    });
  }

  close(): void {
    this.closedError ??= new TsparkError("SPARK_UNAVAILABLE", "the connection to Spark's JVM was closed");
    this.socket.destroy();
  }
}

function gatewayLost(detail: string): TsparkError {
  return new TsparkError("SPARK_UNAVAILABLE", `lost the connection to Spark's JVM (${detail}); did it exit?`);
}

export class Py4JClient implements JvmCalls {
  private readonly idle: Connection[] = [];
  private readonly open = new Set<Connection>();
  private closed = false;
  /** Releases the JVM side of objects the driver dropped without release(). */
  private readonly finalizer = new FinalizationRegistry<string>((id) => {
    if (!this.closed) this.send(releaseCommand(id)).catch(() => {});
  });

  private constructor(
    private readonly port: number,
    private readonly secret: string,
    private readonly host: string,
  ) {}

  /** Connects and authenticates (a first connection proves the port and secret). */
  static async connect(port: number, secret: string, host = "127.0.0.1"): Promise<Py4JClient> {
    const client = new Py4JClient(port, secret, host);
    const first = await Connection.open(port, secret, host);
    client.open.add(first);
    client.idle.push(first);
    return client;
  }

  /** `await client.callStatic("java.lang.System", "getProperty", "java.version")` */
  callStatic(className: string, method: string, ...args: JavaArg[]): Promise<JavaValue> {
    return this.run(callCommand(staticTarget(className), method, args), `${className}.${method}`);
  }

  call(target: JavaRef, method: string, ...args: JavaArg[]): Promise<JavaValue> {
    return this.run(callCommand(target.javaId, method, args), method);
  }

  /** `await client.construct("org.apache.spark.SparkConf", true)` */
  async construct(className: string, ...args: JavaArg[]): Promise<JavaObject> {
    const v = await this.run(constructCommand(className, args), `new ${className}`);
    if (!(v instanceof JavaObject)) throw new TsparkError("PROTOCOL", `the JVM answered new ${className} with no object`);
    return v;
  }

  /** A public field of an object. */
  field(target: JavaRef, name: string): Promise<JavaValue> {
    return this.run(fieldCommand(target.javaId, name), name);
  }

  /** An element of a Java array the JVM returned (e.g. collectAndServe's port and secret). */
  arrayItem(array: JavaRef, index: number): Promise<JavaValue> {
    return this.run(arrayItemCommand(array.javaId, index), `array element ${index}`);
  }

  /** The numbers of a Java int[] the JVM returned (one call: its text). */
  async ints(array: JavaObject): Promise<number[]> {
    const text = String(await this.callStatic("java.util.Arrays", "toString", array));
    return text === "[]" ? [] : text.slice(1, -1).split(", ").map(Number);
  }

  async release(obj: JavaObject): Promise<void> {
    this.finalizer.unregister(obj);
    if (!this.closed) await this.send(releaseCommand(obj.javaId));
  }

  /** Closes every connection (the JVM keeps running; the gateway's owner stops it). */
  close(): void {
    this.closed = true;
    for (const c of this.open) c.close();
    this.open.clear();
    this.idle.length = 0;
  }

  /**
   * Runs `use` with calls that all execute on one JVM thread (one connection, held for the
   * time): what depends on the calling thread, like Spark's local properties
   * (SparkContext.setLocalProperty) for the jobs that thread submits, sees them together.
   */
  onOneThread<T>(use: (thread: JvmCalls) => Promise<T>): Promise<T> {
    return this.withConnection((c) => {
      const on = (command: string, what: string) => this.runOn(c, command, what);
      return use({
        call: (target, method, ...args) => on(callCommand(target.javaId, method, args), method),
        callStatic: (className, method, ...args) => on(callCommand(staticTarget(className), method, args), `${className}.${method}`),
        construct: async (className, ...args) => {
          const v = await on(constructCommand(className, args), `new ${className}`);
          if (!(v instanceof JavaObject)) throw new TsparkError("PROTOCOL", `the JVM answered new ${className} with no object`);
          return v;
        },
        arrayItem: (array, index) => on(arrayItemCommand(array.javaId, index), `array element ${index}`),
      });
    });
  }

  private async run(command: string, what: string): Promise<JavaValue> {
    return this.withConnection((c) => this.runOn(c, command, what));
  }

  private async runOn(c: Connection, command: string, what: string): Promise<JavaValue> {
    const answer = decodeAnswer(await c.send(command));
    if (answer.ok) return this.toJs(answer.value);
    if (answer.fatal) c.close();
    if (answer.throwableId === undefined) throw new JvmError(what, answer.message ?? "an error without a message", undefined);
    const trace = decodeAnswer(await c.send(exceptionTextCommand(answer.throwableId)));
    await c.send(releaseCommand(answer.throwableId));
    const text = trace.ok && trace.value.kind === "value" && typeof trace.value.value === "string" ? trace.value.value : undefined;
    throw new JvmError(what, text?.split("\n")[0] ?? `a Java exception (o${answer.throwableId})`, text);
  }

  private send(command: string): Promise<string> {
    return this.withConnection((c) => c.send(command));
  }

  private async withConnection<T>(use: (c: Connection) => Promise<T>): Promise<T> {
    if (this.closed) throw new TsparkError("SPARK_UNAVAILABLE", "the Spark gateway client is closed");
    const c = this.idle.pop() ?? (await this.connectOne());
    try {
      return await use(c);
    } finally {
      if (c.closed || this.closed) {
        this.open.delete(c);
        c.close();
      } else {
        this.idle.push(c);
      }
    }
  }

  private async connectOne(): Promise<Connection> {
    const c = await Connection.open(this.port, this.secret, this.host);
    this.open.add(c);
    return c;
  }

  private toJs(v: ReturnValue): JavaValue {
    if (v.kind === "void") return undefined;
    if (v.kind === "value") return v.value;
    const obj = new JavaObject(v.id, v.refKind, this);
    this.finalizer.register(obj, v.id, obj);
    return obj;
  }
}
