import { SparkContext, SparkConf } from "tspark";

const conf = new SparkConf().set("tspark.app.name", "set-in-code");
const sc = new SparkContext(conf);
console.log(JSON.stringify({
  master: sc.master,
  appName: sc.appName,
  custom: sc.getConf().get("tspark.custom.key"),
  args: process.argv.slice(2),
  parallelism: sc.defaultParallelism,
}));
await sc.stop();
