"""W1 in PySpark, as an experienced PySpark engineer writes it: word count, top 10 words."""
import json
import sys

from pyspark import SparkConf, SparkContext

sc = SparkContext(conf=SparkConf().setMaster(sys.argv[2]).setAppName("W1 wordcount (PySpark)").set("spark.ui.enabled", "false"))
try:
    top = (
        sc.textFile(sys.argv[1])
        .flatMap(lambda line: line.split(" "))
        .map(lambda word: (word, 1))
        .reduceByKey(lambda a, b: a + b)
        .takeOrdered(10, key=lambda kv: (-kv[1], kv[0]))
    )
    print("RESULT " + json.dumps({"result": [[w, n] for w, n in top]}))
finally:
    sc.stop()
