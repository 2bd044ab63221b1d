import type { SweepScope } from '../../shared/aws/due-index';
import type { ObjectStore } from '../../shared/aws/object-store';
import type { ImportTaskRepository } from '../adapters/import-task-repository';
import {
  SUMMARY_COLUMNS,
  summarizeImports,
  summaryCells,
  summaryReportKey,
  summaryWindow,
} from '../domain/import-summary';
import { csvDocument } from '../parsing/report-files';

export interface WeeklySummaryDeps {
  readonly tasks: Pick<ImportTaskRepository, 'listTasksCreatedBetween'>;
  readonly reports: Pick<ObjectStore, 'putText'>;
}

/**
 * `BulkImportWeeklySummary`: the import tasks created in the seven days before the run's clock,
 * a CSV line per tenant, written over the last report (a run again writes the same file).
 */
export async function writeWeeklyImportSummary(
  deps: WeeklySummaryDeps,
  scope: SweepScope,
): Promise<{ key: string; week: string; tenants: number; imports: number }> {
  const window = summaryWindow(scope.now);
  const tasks = await deps.tasks.listTasksCreatedBetween(window.from, window.to, scope.tenantId);
  const summaries = summarizeImports(tasks, window.week);
  const key = summaryReportKey(scope.tenantId);
  await deps.reports.putText(key, csvDocument(SUMMARY_COLUMNS, summaries.map(summaryCells)), 'text/csv');
  return { key, week: window.week, tenants: summaries.length, imports: tasks.length };
}
