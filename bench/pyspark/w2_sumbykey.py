"""W2 in PySpark: sum of values by key over the key/value file; the number of keys and the total."""
import json
import sys
import time
from operator import add

from pyspark import SparkConf, SparkContext


def parse(line):
    key, value = line.split("\t", 1)
    return key, int(value)


sc = SparkContext(conf=SparkConf().setMaster(sys.argv[2]).setAppName("W2 sum by key (PySpark)").set("spark.ui.enabled", "false"))
try:
    # What tspark's SparkContext does before it returns (a probe job, a task in each executor slot):
    # the job's time starts with every executor up and its Python workers started.
    sc.parallelize(range(sc.defaultParallelism), sc.defaultParallelism).count()
    started = time.perf_counter()
    sums = sc.textFile(sys.argv[1]).map(parse).reduceByKey(add)
    keys, total = sums.aggregate((0, 0), lambda acc, kv: (acc[0] + 1, acc[1] + kv[1]), lambda a, b: (a[0] + b[0], a[1] + b[1]))
    print("RESULT " + json.dumps({"result": {"keys": keys, "total": total}, "jobSeconds": time.perf_counter() - started}))
finally:
    sc.stop()
