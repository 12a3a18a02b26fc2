"""W2 in PySpark: sum of values by key over the key/value file; the number of keys and the total."""
import json
import sys
from operator import add

from pyspark import SparkConf, SparkContext


def parse(line):
    key, value = line.split("\t", 1)
    return key, int(value)


sc = SparkContext(conf=SparkConf().setMaster(sys.argv[2]).setAppName("W2 sum by key (PySpark)").set("spark.ui.enabled", "false"))
try:
    sums = sc.textFile(sys.argv[1]).map(parse).reduceByKey(add)
    keys, total = sums.aggregate((0, 0), lambda acc, kv: (acc[0] + 1, acc[1] + kv[1]), lambda a, b: (a[0] + b[0], a[1] + b[1]))
    print("RESULT " + json.dumps({"result": {"keys": keys, "total": total}}))
finally:
    sc.stop()
