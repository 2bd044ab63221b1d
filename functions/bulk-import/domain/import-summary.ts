import type { TaskCounts, TaskStatus } from './import-task';

/** What the weekly summary reads of an import task. */
export interface SummarizedTask {
  readonly tenantId: string;
  readonly status: TaskStatus;
  readonly counts: TaskCounts;
  /** Provisioning runs so far: 0 before commit, 1 after it, +1 per retry. */
  readonly run: number;
  /** When its current run started (set once a run is finalized). */
  readonly runStartedAt?: string;
  /** For a finished task: when its last run ended. */
  readonly updatedAt: string;
}

/** One line of the weekly report: a tenant's imports created in the week. */
export interface TenantImportSummary {
  readonly tenant: string;
  readonly week: string;
  readonly imports: number;
  readonly rows: number;
  readonly succeeded: number;
  readonly failed: number;
  /** Failed over valid rows, as `iam_bulk_import_error_ratio` counts it (0 when nothing was valid). */
  readonly errorRatio: number;
  /** Of the finished tasks' last runs; undefined when none finished. */
  readonly p95DurationSeconds: number | undefined;
  readonly retries: number;
  /** Created users whose sensitive role grants still wait for an approval. */
  readonly pendingApprovals: number;
}

export const SUMMARY_COLUMNS = [
  'tenant',
  'week',
  'imports',
  'rows',
  'succeeded',
  'failed',
  'error_ratio',
  'p95_duration_seconds',
  'retries',
  'pending_approvals',
] as const;

/** The report covers the seven days before its run: a Monday-morning run reports the week before. */
export const SUMMARY_WINDOW_DAYS = 7;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface SummaryWindow {
  /** Inclusive. */
  readonly from: Date;
  /** Exclusive: the run's own clock. */
  readonly to: Date;
  /** The ISO week (`2026-W47`) the window starts in. */
  readonly week: string;
}

export function summaryWindow(now: Date): SummaryWindow {
  const from = new Date(now.getTime() - SUMMARY_WINDOW_DAYS * DAY_MS);
  return { from, to: now, week: isoWeek(from) };
}

/** ISO 8601 week-numbering: weeks start on Monday, and week 1 holds the year's first Thursday. */
export function isoWeek(date: Date): string {
  const day = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const weekday = day.getUTCDay() || 7;
  // The Thursday of the same week decides the year the week belongs to.
  day.setUTCDate(day.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((day.getTime() - yearStart) / DAY_MS + 1) / 7);
  return `${day.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

const FINISHED: ReadonlySet<TaskStatus> = new Set(['COMPLETED', 'COMPLETED_WITH_ERRORS', 'FAILED']);

/** One summary per tenant that created an import in the window, by tenant id. */
export function summarizeImports(tasks: readonly SummarizedTask[], week: string): TenantImportSummary[] {
  const byTenant = new Map<string, SummarizedTask[]>();
  for (const task of tasks) byTenant.set(task.tenantId, [...(byTenant.get(task.tenantId) ?? []), task]);
  return [...byTenant.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([tenant, own]) => summarizeTenant(tenant, week, own));
}

function summarizeTenant(
  tenant: string,
  week: string,
  tasks: readonly SummarizedTask[],
): TenantImportSummary {
  const total = (count: (task: SummarizedTask) => number) =>
    tasks.reduce((sum, task) => sum + count(task), 0);
  const valid = total((task) => task.counts.valid);
  const failed = total((task) => task.counts.failed);
  return {
    tenant,
    week,
    imports: tasks.length,
    rows: total((task) => task.counts.total),
    succeeded: total((task) => task.counts.succeeded),
    failed,
    errorRatio: valid === 0 ? 0 : failed / valid,
    p95DurationSeconds: percentile95(tasks.flatMap(lastRunSeconds)),
    retries: total((task) => Math.max(task.run - 1, 0)),
    pendingApprovals: total((task) => task.counts.pendingApproval),
  };
}

function lastRunSeconds(task: SummarizedTask): number[] {
  if (!FINISHED.has(task.status) || task.runStartedAt === undefined) return [];
  return [(Date.parse(task.updatedAt) - Date.parse(task.runStartedAt)) / 1000];
}

/** Nearest rank: the smallest value at least 95% of the values are at or below. */
export function percentile95(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil(0.95 * sorted.length) - 1];
}

/** The report's cells: ratios to four places, seconds to one, an unknown duration left empty. */
export function summaryCells(summary: TenantImportSummary): string[] {
  return [
    summary.tenant,
    summary.week,
    String(summary.imports),
    String(summary.rows),
    String(summary.succeeded),
    String(summary.failed),
    summary.errorRatio.toFixed(4),
    summary.p95DurationSeconds === undefined ? '' : summary.p95DurationSeconds.toFixed(1),
    String(summary.retries),
    String(summary.pendingApprovals),
  ];
}

/**
 * Where a run writes its report: the seed's one path for the run over every tenant (the operators'
 * weekly report, a line per tenant, replaced each week), a path of the tenant's own for a run narrowed to one, so an operator re-running it for
 * a tenant never replaces the all-tenant report with a single line.
 */
export function summaryReportKey(tenantId?: string): string {
  return tenantId === undefined
    ? 'reports/iam/bulk-import-summary.csv'
    : `reports/iam/tenants/${tenantId}/bulk-import-summary.csv`;
}
