"""W1 in PySpark, as an experienced PySpark engineer writes it: word count, top 10 words."""
import json
import sys
import time

from pyspark import SparkConf, SparkContext

sc = SparkContext(conf=SparkConf().setMaster(sys.argv[2]).setAppName("W1 wordcount (PySpark)").set("spark.ui.enabled", "false"))
try:
    # What tspark's SparkContext does before it returns (a probe job, a task in each executor slot):
    # the job's time starts with every executor up and its Python workers started.
    sc.parallelize(range(sc.defaultParallelism), sc.defaultParallelism).count()
    started = time.perf_counter()
    top = (
        sc.textFile(sys.argv[1])
        .flatMap(lambda line: line.split(" "))
        .map(lambda word: (word, 1))
        .reduceByKey(lambda a, b: a + b)
        .takeOrdered(10, key=lambda kv: (-kv[1], kv[0]))
    )
    print("RESULT " + json.dumps({"result": [[w, n] for w, n in top], "jobSeconds": time.perf_counter() - started}))
finally:
    sc.stop()
