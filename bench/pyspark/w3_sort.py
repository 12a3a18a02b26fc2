"""W3 in PySpark: sort the key/value file by key and write it out."""
import json
import sys
import time

from pyspark import SparkConf, SparkContext


def split(line):
    key, value = line.split("\t", 1)
    return key, value


sc = SparkContext(conf=SparkConf().setMaster(sys.argv[3]).setAppName("W3 sort (PySpark)").set("spark.ui.enabled", "false"))
try:
    # What tspark's SparkContext does before it returns (a probe job, a task in each executor slot):
    # the job's time starts with every executor up and its Python workers started.
    sc.parallelize(range(sc.defaultParallelism), sc.defaultParallelism).count()
    started = time.perf_counter()
    sc.textFile(sys.argv[1]).map(split).sortByKey().map(lambda kv: kv[0] + "\t" + kv[1]).saveAsTextFile(sys.argv[2])
    print("RESULT " + json.dumps({"result": "written", "jobSeconds": time.perf_counter() - started}))
finally:
    sc.stop()
