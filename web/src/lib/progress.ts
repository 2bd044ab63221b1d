/** A reading of a run's progress: rows done at a time (ms since the epoch). */
export interface ProgressSample {
  readonly at: number;
  readonly done: number;
}

export interface ProgressEstimate {
  readonly done: number;
  readonly total: number;
  /** 0–100, whole. */
  readonly percent: number;
  /** Rows per second over the window; undefined until two readings span some time and rows. */
  readonly rowsPerSecond?: number;
  /** Seconds left at that rate; 0 once done. */
  readonly etaSeconds?: number;
}

/** How far back the rate looks: recent enough to follow a slowdown, long enough to smooth batches. */
export const RATE_WINDOW_MS = 30_000;

/**
 * Rate and ETA from the readings taken while polling. The rate is measured over the readings of the
 * last RATE_WINDOW_MS, so a run that slows (a throttled table) shows a longer ETA soon.
 */
export function estimateProgress(samples: readonly ProgressSample[], total: number): ProgressEstimate {
  const last = samples.at(-1);
  const done = Math.min(last?.done ?? 0, total);
  const percent = total > 0 ? Math.floor((done / total) * 100) : 100;
  if (!last) return { done, total, percent };
  if (done >= total) return { done, total, percent, etaSeconds: 0 };
  const first = samples.find((sample) => sample.at >= last.at - RATE_WINDOW_MS) ?? last;
  const seconds = (last.at - first.at) / 1000;
  const rows = last.done - first.done;
  if (seconds <= 0 || rows <= 0) return { done, total, percent };
  const rowsPerSecond = rows / seconds;
  return { done, total, percent, rowsPerSecond, etaSeconds: Math.ceil((total - done) / rowsPerSecond) };
}

/** Keeps the readings the rate window needs, plus the one just before it, and appends the new one. */
export function addSample(samples: readonly ProgressSample[], sample: ProgressSample): ProgressSample[] {
  const kept = samples.filter((earlier) => earlier.at >= sample.at - RATE_WINDOW_MS * 2);
  return [...kept, sample];
}

/** `1 h 2 min`, `3 min 4 s`, `5 s`: for an ETA or a run's duration. */
export function formatDuration(totalSeconds: number): string {
  const seconds = Math.max(0, Math.round(totalSeconds));
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  if (hours > 0) return `${hours} h ${minutes} min`;
  if (minutes > 0) return `${minutes} min ${rest} s`;
  return `${rest} s`;
}

/** A count with its noun, singular for one: "1 row", "195 rows". */
export function countOf(count: number, noun: string): string {
  return `${count.toLocaleString()} ${count === 1 ? noun : `${noun}s`}`;
}
