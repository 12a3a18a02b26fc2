"""W4 in PySpark: join the key/value file with the small dimension table; count the matches."""
import json
import sys
import time

from pyspark import SparkConf, SparkContext


def split(line):
    key, value = line.split("\t", 1)
    return key, value


sc = SparkContext(conf=SparkConf().setMaster(sys.argv[3]).setAppName("W4 join (PySpark)").set("spark.ui.enabled", "false"))
try:
    # What tspark's SparkContext does before it returns (a probe job, a task in each executor slot):
    # the job's time starts with every executor up and its Python workers started.
    sc.parallelize(range(sc.defaultParallelism), sc.defaultParallelism).count()
    started = time.perf_counter()
    n = sc.textFile(sys.argv[1]).map(split).join(sc.textFile(sys.argv[2]).map(split)).count()
    print("RESULT " + json.dumps({"result": n, "jobSeconds": time.perf_counter() - started}))
finally:
    sc.stop()
