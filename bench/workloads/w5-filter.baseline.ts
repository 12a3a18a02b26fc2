/** W5 baseline. */
import { forEachLine, report } from "./common.js";

let n = 0;
forEachLine(process.argv[2]!, (l) => {
  const ws = l.split(" ");
  if (ws.length > 10 && ws[0]!.length < 3) n++;
});
report(n);
