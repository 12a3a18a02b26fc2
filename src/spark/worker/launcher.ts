#!/usr/bin/env node
/**
 * The executable Spark's executors start in place of `python -m pyspark.worker` or
 * `python -m pyspark.daemon` (its path is the pythonExec of tspark's functions). The module
 * arguments Spark passes are ignored, as any worker standing in for PySpark's must; the
 * environment tells the modes apart:
 * - direct mode (`spark.python.use.daemon=false`): PYTHON_WORKER_FACTORY_PORT is set, and
 *   Spark waits only 10 s for the connection back, so this connects and authenticates first,
 *   with nothing loaded but the socket code, and loads the worker runtime after;
 * - daemon mode (Spark's default): the port is not set; this is the executor's daemon
 *   (worker-daemon.ts), which starts this file again, with DAEMON_WORKER_ARG, for each worker.
 */
import { connectToExecutor } from "./executor-connection.js";
import { DAEMON_WORKER_ARG, runWorkerDaemon, serveDaemonConnection } from "./worker-daemon.js";

if (process.argv.includes("-VV")) {
  // spark.executor.python.worker.log.details asks the "interpreter" for its version.
  process.stdout.write(`tspark worker on Node ${process.version}\n`);
} else if (process.argv.includes("-c")) {
  // The same setting runs a snippet of Python: nothing to do.
} else if (process.argv.includes(DAEMON_WORKER_ARG)) {
  await serveDaemonConnection(process.env);
} else if (process.env["PYTHON_WORKER_FACTORY_PORT"] === undefined) {
  await runWorkerDaemon(process.argv[1]!, process.env);
} else {
  const connection = await connectToExecutor(process.env);
  const { serveExecutor } = await import("./run-spark-task.js");
  process.exitCode = await serveExecutor(connection, process.env);
}
