// A module of the user's that shipped functions import, with an npm package of its own: on
// Spark it reaches executors as a bundle through Spark's addFile (spark-sealed.ts).
import { gunzipSync, gzipSync, strFromU8, strToU8 } from "fflate";

export function roundTrip(s: string): string {
  return `${strFromU8(gunzipSync(gzipSync(strToU8(s))))}!`;
}
