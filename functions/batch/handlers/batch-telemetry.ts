import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logger, metrics } from '../../shared/observability';
import type { BatchResponseItem } from '../domain/envelope';

/** One line and a few metrics per envelope: requests by status class, and how long the batch took. */
export function recordBatch(
  correlationId: string,
  status: number,
  responses: readonly BatchResponseItem[],
  durationMs: number,
): void {
  const byClass = new Map<string, number>();
  for (const { status: itemStatus } of responses) {
    const statusClass = `${Math.floor(itemStatus / 100)}xx`;
    byClass.set(statusClass, (byClass.get(statusClass) ?? 0) + 1);
  }
  logger.info('Batch answered', {
    status,
    requests: responses.length,
    by_status: Object.fromEntries(byClass),
    duration_ms: Math.round(durationMs),
  });
  metrics.addMetric('BatchRequests', MetricUnit.Count, 1);
  if (status !== 200) {
    const refused = metrics.singleMetric();
    refused.addMetadata('correlation_id', correlationId);
    refused.addDimension('status', String(status));
    refused.addMetric('BatchRefused', MetricUnit.Count, 1);
    return;
  }
  metrics.addMetric('BatchDuration', MetricUnit.Milliseconds, durationMs);
  for (const [statusClass, count] of byClass) {
    const subrequests = metrics.singleMetric();
    subrequests.addMetadata('correlation_id', correlationId);
    subrequests.addDimension('statusClass', statusClass);
    subrequests.addMetric('BatchSubrequests', MetricUnit.Count, count);
  }
}
