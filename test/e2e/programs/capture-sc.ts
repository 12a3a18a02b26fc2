import { SparkContext } from "tspark";

const sc = new SparkContext({ master: "local[1]" });
const rdd = sc.parallelize([1, 2, 3]);
try {
  await rdd.map((x) => sc.parallelize([x]).count()).collect();
} finally {
  await sc.stop();
}
