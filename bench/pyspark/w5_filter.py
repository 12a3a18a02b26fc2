"""W5 in PySpark: parse, filter, count."""
import json
import sys
import time

from pyspark import SparkConf, SparkContext

sc = SparkContext(conf=SparkConf().setMaster(sys.argv[2]).setAppName("W5 filter (PySpark)").set("spark.ui.enabled", "false"))
try:
    # What tspark's SparkContext does before it returns (a probe job, a task in each executor slot):
    # the job's time starts with every executor up and its Python workers started.
    sc.parallelize(range(sc.defaultParallelism), sc.defaultParallelism).count()
    started = time.perf_counter()
    n = sc.textFile(sys.argv[1]).map(lambda line: line.split(" ")).filter(lambda ws: len(ws) > 10 and len(ws[0]) < 3).count()
    print("RESULT " + json.dumps({"result": n, "jobSeconds": time.perf_counter() - started}))
finally:
    sc.stop()
