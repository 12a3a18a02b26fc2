export function normalize(word: string): string {
  return word.toLowerCase().replace(/[^a-z]/g, "");
}
export const STOP_WORDS = new Set(["the", "a", "and"]);
