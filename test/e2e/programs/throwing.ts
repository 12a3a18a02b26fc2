import { SparkContext } from "tspark";

const sc = new SparkContext({ master: "local[2]" });
interface Reading { sensor: string; value: number }
function parse(line: string): Reading {
  const [sensor, value] = line.split(",");
  if (value === undefined) throw new Error(`malformed reading: "${line}"`);
  return { sensor: sensor!, value: Number(value) };
}
try {
  await sc.parallelize(["a,1", "b,2", "broken", "c,3"], 2).map(parse).collect();
} finally {
  await sc.stop();
}
