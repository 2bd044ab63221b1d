import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { metrics } from '../../shared/observability';
import { runErrorRatio } from '../domain/import-metrics';
import type { TaskCounts } from '../domain/import-task';

/**
 * The seed's iam_bulk_import_* metrics, one data point per finished run. The duration is also
 * published per tenant, as the seed asks; the alarms read the twin without a tenant, as a
 * CloudWatch alarm cannot watch every tenant's metric at once.
 */
export function recordImportMetrics(
  counts: TaskCounts,
  durationSeconds: number,
  run: { readonly run: number; readonly tenantId: string; readonly correlationId: string },
): void {
  metrics.addMetric('iam_bulk_import_duration_seconds', MetricUnit.Seconds, durationSeconds);
  const perTenant = metrics.singleMetric();
  perTenant.addMetadata('correlation_id', run.correlationId);
  perTenant.addDimension('tenant', run.tenantId);
  perTenant.addMetric('iam_bulk_import_duration_seconds', MetricUnit.Seconds, durationSeconds);
  metrics.addMetric('iam_bulk_import_success_total', MetricUnit.Count, counts.succeeded);
  metrics.addMetric('iam_bulk_import_failure_total', MetricUnit.Count, counts.failed);
  metrics.addMetric('iam_bulk_import_error_ratio', MetricUnit.Percent, runErrorRatio(counts));
  if (run.run > 1) metrics.addMetric('iam_bulk_import_retry_total', MetricUnit.Count, 1);
}
