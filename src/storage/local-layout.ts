/**
 * Names inside the application's local directory that the driver and its workers share:
 * the driver removes what its workers wrote there once nothing needs it.
 */

/** A shuffle's map outputs (data and index file per map task). */
export function shuffleDirName(shuffleId: number): string {
  return `shuffle-${shuffleId}`;
}

/** A map output's files in its shuffle's directory: STEM.data and, beside it, STEM.index. */
export const MAP_OUTPUT_DATA = ".data";
export const MAP_OUTPUT_INDEX = ".index";

/** A worker process's spill runs. */
export function spillDirName(pid: number): string {
  return `spill-${pid}`;
}
