import { SparkContext, StorageLevel } from "tspark";
class Point { constructor(public x: number, public y: number) {} norm() { return Math.hypot(this.x, this.y); } }
const sc = new SparkContext({ master: "local[2]" });
const pts = sc.parallelize([1, 2, 3]).map((i) => new Point(i, i));
console.log(await pts.map((p) => p.norm()).collect());
console.log((await pts.collect())[0] instanceof Point);
console.log(await pts.keyBy((p) => p.x).groupByKey().mapValues((ps) => [...ps].map((p) => p.norm())).collect());
const d = pts.persist(StorageLevel.DISK_ONLY);
console.log(await d.map((p) => p.norm()).collect(), await d.map(p=>p.norm()).collect());
const b = sc.broadcast(new Point(3, 4));
console.log(await sc.parallelize([1], 1).map(() => b.value.norm()).collect());
console.log((await sc.parallelize([new Point(6,8)], 1).map(p => p.norm()).collect()));
try { await sc.parallelize([1,2],2).map((i) => ({ f: () => i })).collect(); } catch (e) { console.log("ERR", (e as Error).message); }
await sc.stop();
