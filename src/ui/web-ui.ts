/**
 * The web UI's HTTP server (fastify: a well-kept, fast server library). Serves the pages
 * and a JSON API shaped like Spark's REST API (/api/v1/applications/...). A context's UI
 * binds loopback by default, on the configured port or the next free one.
 *
 * The port is bound by a plain node:http server at once, and fastify is loaded and its
 * routes built on the first request: loading it took ~130 ms of the driver's CPU (80 ms of
 * imports, 50 ms to get ready), which on 2 cores delayed every application's first tasks
 * while its workers started (start-up to a first result: 420 ms with it, 240 ms without).
 */
import { createServer, type Server, type IncomingMessage, type ServerResponse } from "node:http";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { AppStatusStore, StageRow } from "./status-store.js";
import * as pages from "./pages.js";
import { historyBanner } from "./event-log.js";
import type { OutputStream } from "../backend/worker-process.js";
import { TsparkError } from "../errors.js";
import { presentedToken, tokenCookieName, accessUrl } from "./access-token.js";

/** How many ports after the configured one are tried when it is taken (as Spark's spark.port.maxRetries), before any free one. */
const PORT_RETRIES = 16;

export interface WebUiOptions {
  host: string;
  /** 0 = any free port. */
  port: number;
  /** A live application's pages refresh themselves, and its server does not keep the process alive. */
  live: boolean;
  banner?: string;
  /** The per-application secret a peer must present (undefined: no check, tspark.ui.authenticate=false). */
  token?: string | undefined;
  /** A live application's executor logs: the newest lines a worker wrote to stdout or stderr. */
  logs?: (executorId: string, stream: OutputStream) => readonly string[];
}

function stageJson(s: StageRow, withTasks: boolean) {
  const { tasks, accumulators, ...rest } = s;
  // As Spark's REST API names them.
  const accumulatorUpdates = [...accumulators].map(([id, value]) => ({ id, value }));
  return withTasks ? { ...rest, accumulatorUpdates, tasks: [...tasks.values()] } : { ...rest, accumulatorUpdates };
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export class WebUi {
  /** `url` is the server's root; `accessUrl` the address to open (with the token, when one is required). */
  private constructor(private readonly server: Server, readonly url: string, readonly accessUrl: string) {}

  /** Serves one application (a live one, or one replayed from its log), or a history server's logged applications under /history/<appId>/. */
  static async start(content: AppStatusStore | readonly pages.LoggedApp[], opts: WebUiOptions): Promise<WebUi> {
    const server = createServer();
    server.on("request", servedLazily(server, content, opts));
    // The configured port, the next ones when taken, then any free port (many contexts on one machine).
    const tries = opts.port === 0 ? [0] : [...Array.from({ length: PORT_RETRIES + 1 }, (_, i) => opts.port + i).filter((p) => p <= 65535), 0];
    for (const port of tries) {
      try {
        await new Promise<void>((resolve, reject) => {
          server.once("error", reject);
          server.listen({ host: opts.host, port }, () => {
            server.removeListener("error", reject);
            resolve();
          });
        });
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EADDRINUSE" || port === 0) {
          server.close();
          throw new TsparkError("CONFIG", `the web UI could not listen on ${opts.host}:${port}: ${(err as Error).message}`, { cause: err });
        }
      }
    }
    if (opts.live) {
      // The UI never keeps a finished program alive: not its listener, nor a browser's kept-alive connection.
      server.unref();
      server.on("connection", (socket) => socket.unref());
    }
    const addr = server.address();
    const port = typeof addr === "object" && addr ? addr.port : opts.port;
    const host = opts.host.includes(":") ? `[${opts.host}]` : opts.host === "0.0.0.0" ? "127.0.0.1" : opts.host;
    const url = `http://${host}:${port}`;
    return new WebUi(server, url, accessUrl(url, opts.token));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * The server's request listener: fastify's handler, built at the first request (a start that
 * failed is tried again at the next one).
 */
function servedLazily(server: Server, content: AppStatusStore | readonly pages.LoggedApp[], opts: WebUiOptions): Handler {
  let handler: Promise<Handler> | undefined;
  return (req, res) => {
    handler ??= routes(server, content, opts);
    const fail = (err: unknown) => {
      if (!res.headersSent) res.statusCode = 500;
      res.end(`the web UI failed: ${(err as Error).message}`);
    };
    handler.then((h) => {
      try {
        h(req, res);
      } catch (err) {
        fail(err); // a page must never take the application down
      }
    }, (err: unknown) => {
      handler = undefined;
      fail(err);
    });
  };
}

/** Fastify's request handler for the UI's pages and API, on the already listening `server`. */
async function routes(server: Server, content: AppStatusStore | readonly pages.LoggedApp[], opts: WebUiOptions): Promise<Handler> {
  const { default: Fastify } = await import("fastify");
  let handler: Handler | undefined;
  const app = Fastify({
    logger: false,
    routerOptions: { ignoreTrailingSlash: true },
    serverFactory: (h) => {
      handler = h;
      return server;
    },
  });

  const token = opts.token;
  if (token !== undefined) {
    app.addHook("onRequest", async (req, reply) => {
      const port = (server.address() as { port: number }).port;
      const how = presentedToken({ url: req.url, headers: req.headers }, token, port);
      if (how === "query") reply.header("set-cookie", `${tokenCookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`);
      if (how === undefined) {
        return reply.code(401).type("text/html; charset=utf-8").send(pages.unauthorizedPage());
      }
    });
  }

  const stores = new Map<string, AppStatusStore>();
  if (!Array.isArray(content)) {
    const store = content as AppStatusStore;
    if (store.app) stores.set(store.app.appId, store);
    app.get("/", (_req, reply) => reply.redirect("/jobs/"));
    const ctx = { store, live: opts.live, banner: opts.banner, base: "/", logs: opts.logs };
    pageRoutes(app, ctx);
    const logs = opts.logs;
    if (logs) {
      app.get("/executors/logs/", (req, reply) => {
        const { id, stream } = req.query as { id?: string; stream?: string };
        const s = stream === "stderr" ? "stderr" : "stdout";
        const page = id !== undefined && store.executors.has(id) ? pages.executorLogPage(ctx, id, s, logs(id, s)) : undefined;
        return page === undefined ? reply.code(404).type("text/html; charset=utf-8").send(pages.notFoundPage(ctx, "No such executor.")) : reply.type("text/html; charset=utf-8").send(page);
      });
    }
    app.get("/api/v1/revision", async () => ({ revision: store.revision }));
  } else {
    const logged = content as readonly pages.LoggedApp[];
    for (const l of logged) stores.set(l.store.app!.appId, l.store);
    app.get("/", (_req, reply) => reply.type("text/html; charset=utf-8").send(pages.historyPage([...logged], opts.banner ?? "")));
    for (const l of logged) {
      const base = `/history/${encodeURIComponent(l.store.app!.appId)}/`;
      const banner = historyBanner(l);
      app.get(base, (_req, reply) => reply.redirect(`${base}jobs/`));
      await app.register(async (sub) => pageRoutes(sub, { store: l.store, live: false, banner, base }), { prefix: base.slice(0, -1) });
    }
  }
  apiRoutes(app, stores);
  await app.ready();
  return handler!;
}

/** One application's pages, under the prefix they are registered with. */
function pageRoutes(app: FastifyInstance, ctx: pages.PageContext): void {
  const page = (reply: FastifyReply, body: string | undefined, what: string) =>
    body === undefined ? reply.code(404).type("text/html; charset=utf-8").send(pages.notFoundPage(ctx, what)) : reply.type("text/html; charset=utf-8").send(body);
  const idOf = (q: unknown) => Number((q as { id?: string }).id);
  app.get("/jobs/", (_req, reply) => page(reply, pages.jobsPage(ctx), ""));
  app.get("/jobs/job/", (req, reply) => page(reply, pages.jobPage(ctx, idOf(req.query)), "No such job."));
  app.get("/stages/", (_req, reply) => page(reply, pages.stagesPage(ctx), ""));
  app.get("/stages/stage/", (req, reply) => page(reply, pages.stagePage(ctx, idOf(req.query), Number((req.query as { page?: string }).page ?? 1)), "No such stage."));
  app.get("/storage/", (_req, reply) => page(reply, pages.storagePage(ctx), ""));
  app.get("/storage/rdd/", (req, reply) => page(reply, pages.rddPage(ctx, idOf(req.query)), "No such persisted RDD."));
  app.get("/executors/", (_req, reply) => page(reply, pages.executorsPage(ctx), ""));
  app.get("/environment/", (_req, reply) => page(reply, pages.environmentPage(ctx), ""));
}

/** The JSON API, shaped like Spark's REST API: every application served, by id. */
function apiRoutes(app: FastifyInstance, stores: ReadonlyMap<string, AppStatusStore>): void {
  app.get("/api/v1/applications", async () =>
    [...stores.values()].map(({ app: a }) => ({ id: a!.appId, name: a!.appName, attempts: [{ startTime: a!.startTime, endTime: a!.endTime, completed: a!.endTime !== undefined, sparkUser: a!.user }] })),
  );
  const base = "/api/v1/applications/:appId";
  const storeOf = (req: { params: unknown }) => stores.get((req.params as { appId: string }).appId);
  app.addHook("preHandler", async (req, reply) => {
    const appId = (req.params as { appId?: string }).appId;
    if (appId !== undefined && !stores.has(appId)) return reply.code(404).send({ message: `no such application: ${appId}` });
  });
  app.get(`${base}/jobs`, async (req) => [...storeOf(req)!.jobs.values()]);
  app.get(`${base}/jobs/:id`, async (req, reply) => storeOf(req)!.jobs.get(Number((req.params as { id: string }).id)) ?? reply.code(404).send({ message: "no such job" }));
  app.get(`${base}/stages`, async (req) => [...storeOf(req)!.stages.values()].map((s) => stageJson(s, false)));
  app.get(`${base}/stages/:id`, async (req, reply) => {
    const s = storeOf(req)!.stages.get(Number((req.params as { id: string }).id));
    return s ? stageJson(s, true) : reply.code(404).send({ message: "no such stage" });
  });
  app.get(`${base}/executors`, async (req) => [...storeOf(req)!.executors.values()]);
  app.get(`${base}/storage/rdd`, async (req) => {
    const store = storeOf(req)!;
    const totals = new Map(store.blocks.storageInfo().map((i) => [i.rddId, i]));
    return [...store.rdds.values()].map((r) => ({ ...r, cachedPartitions: 0, memoryBytes: 0, diskBytes: 0, ...totals.get(r.rddId), blocks: store.blocks.blocksOf(r.rddId) }));
  });
  app.get(`${base}/environment`, async (req) => ({ runtime: Object.fromEntries(storeOf(req)!.runtime), properties: storeOf(req)!.config }));
}
