import type { TaskCounts } from './api-client';

/** One look at a provisioning run: when, how many rows are settled, out of how many. */
export interface ProgressSample {
  readonly atMs: number;
  readonly done: number;
  readonly total: number;
}

export interface Progress {
  readonly done: number;
  readonly total: number;
  /** Rows settled per second since the first sample; absent until some row settled after it. */
  readonly rowsPerSecond?: number;
  /** Seconds left at that rate; absent without a rate or once every row is settled. */
  readonly etaSeconds?: number;
}

/**
 * A run's rows settled so far. While provisioning, the API's `succeeded` counts every run's
 * created rows and `failed` this run's failures, so their sum out of `valid` is the run's progress
 * (a retry starts where the earlier runs left off).
 */
export function sampleOf(counts: TaskCounts, atMs: number): ProgressSample {
  return { atMs, done: Math.min(counts.succeeded + counts.failed, counts.valid), total: counts.valid };
}

/** Rate and ETA from the watch's first sample to its latest. */
export function progressBetween(first: ProgressSample, latest: ProgressSample): Progress {
  const elapsedSeconds = (latest.atMs - first.atMs) / 1000;
  const settled = latest.done - first.done;
  if (elapsedSeconds <= 0 || settled <= 0) return { done: latest.done, total: latest.total };
  const rowsPerSecond = settled / elapsedSeconds;
  const remaining = latest.total - latest.done;
  return {
    done: latest.done,
    total: latest.total,
    rowsPerSecond,
    ...(remaining > 0 ? { etaSeconds: remaining / rowsPerSecond } : {}),
  };
}

/** `1m 05s`, `2h 03m`, `42s`. */
export function formatDuration(seconds: number): string {
  const whole = Math.ceil(seconds);
  if (whole < 60) return `${whole}s`;
  if (whole < 3600) return `${Math.floor(whole / 60)}m ${String(whole % 60).padStart(2, '0')}s`;
  return `${Math.floor(whole / 3600)}h ${String(Math.floor((whole % 3600) / 60)).padStart(2, '0')}m`;
}

const BAR_WIDTH = 24;

/** `PROVISIONING [#######.........] 120/300 rows 40% · 35.2 rows/s · ETA 6s` */
export function progressLine(status: string, progress: Progress): string {
  const ratio = progress.total > 0 ? progress.done / progress.total : 1;
  const filled = Math.round(ratio * BAR_WIDTH);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`;
  const parts = [`${status} ${bar} ${progress.done}/${progress.total} rows ${Math.floor(ratio * 100)}%`];
  if (progress.rowsPerSecond !== undefined) parts.push(`${progress.rowsPerSecond.toFixed(1)} rows/s`);
  if (progress.etaSeconds !== undefined) parts.push(`ETA ${formatDuration(progress.etaSeconds)}`);
  return parts.join(' · ');
}
