"""W6 in PySpark: groupByKey over data several times the worker's memory (spark.python.worker.memory, set by the runner)."""
import json
import sys
import time

from pyspark import SparkConf, SparkContext


def parse(line):
    key, value = line.split("\t", 1)
    return key, int(value)


conf = SparkConf().setMaster(sys.argv[2]).setAppName("W6 groupByKey (PySpark)").set("spark.ui.enabled", "false").set("spark.python.worker.memory", sys.argv[3])
sc = SparkContext(conf=conf)
try:
    # What tspark's SparkContext does before it returns (a probe job, a task in each executor slot):
    # the job's time starts with every executor up and its Python workers started.
    sc.parallelize(range(sc.defaultParallelism), sc.defaultParallelism).count()
    started = time.perf_counter()
    groups = sc.textFile(sys.argv[1]).map(parse).groupByKey().mapValues(lambda vs: sum(1 for _ in vs))
    keys, values = groups.aggregate((0, 0), lambda acc, kv: (acc[0] + 1, acc[1] + kv[1]), lambda a, b: (a[0] + b[0], a[1] + b[1]))
    print("RESULT " + json.dumps({"result": {"keys": keys, "values": values}, "jobSeconds": time.perf_counter() - started}))
finally:
    sc.stop()
