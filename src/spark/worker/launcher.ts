#!/usr/bin/env node
/**
 * The executable Spark's executors start in place of `python -m pyspark.worker` (its path is
 * the pythonExec of tspark's functions). Spark waits only 10 s for the connection back, so
 * this connects and authenticates first, with nothing loaded but the socket code, and loads
 * the worker runtime after. The module arguments Spark passes (`-m pyspark.worker`) are
 * ignored, as any worker standing in for PySpark's must.
 */
import { connectToExecutor } from "./executor-connection.js";

if (process.argv.includes("-VV")) {
  // spark.executor.python.worker.log.details asks the "interpreter" for its version.
  process.stdout.write(`tspark worker on Node ${process.version}\n`);
} else if (!process.argv.includes("-c")) {
  const connection = await connectToExecutor(process.env);
  const { runSparkTask } = await import("./run-spark-task.js");
  process.exitCode = await runSparkTask(connection, process.env);
}
