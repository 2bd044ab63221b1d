/** A count with its noun, singular for one ("1 grant", "3 grants"): summaries a person reads. */
export function countOf(count: number, noun: string): string {
  return `${count} ${count === 1 ? noun : `${noun}s`}`;
}
