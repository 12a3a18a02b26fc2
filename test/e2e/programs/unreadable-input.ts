/**
 * Input files this user may not read (mode 000): each input kind fails with an error naming
 * the file; a directory that may not be listed too. Run by a non-root user (the test drops
 * to "nobody" when it runs as root, who may read anything). Prints one JSON line.
 */
import { SparkContext } from "tspark";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const dir = mkdtempSync(join(tmpdir(), "tspark-unreadable-"));
writeFileSync(join(dir, "ok.txt"), "fine\n");
writeFileSync(join(dir, "locked.txt"), "secret\n");
chmodSync(join(dir, "locked.txt"), 0o000);
mkdirSync(join(dir, "closed"));
writeFileSync(join(dir, "closed", "inner.txt"), "hidden\n");
chmodSync(join(dir, "closed"), 0o000);

const sc = new SparkContext({ master: "local[1]", conf: { "tspark.task.maxFailures": "1" } });
const report: Record<string, string> = {};
const attempt = async (name: string, job: () => Promise<unknown>) => {
  try {
    report[name] = `succeeded: ${JSON.stringify(await job())}`;
  } catch (e) {
    report[name] = e instanceof Error ? e.message : String(e);
  }
};
try {
  await attempt("textFile", () => sc.textFile(join(dir, "*.txt")).collect());
  await attempt("wholeTextFiles", () => sc.wholeTextFiles(join(dir, "locked.txt")).collect());
  await attempt("binaryFiles", () => sc.binaryFiles(join(dir, "locked.txt")).collect());
  await attempt("closedDirectory", () => sc.textFile(join(dir, "closed")).collect());
  await attempt("stillUsable", () => sc.textFile(join(dir, "ok.txt")).collect());
} finally {
  await sc.stop();
  chmodSync(join(dir, "closed"), 0o700);
  rmSync(dir, { recursive: true, force: true });
}
console.log(JSON.stringify(report));
