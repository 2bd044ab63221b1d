import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { principal, uniqueTenant } from '../support/api';
import { type DataPoint, metricDataPoints } from '../support/telemetry';
import { commitWithOneTakenRow } from './import-support';

/** The dimensions lib/observability's alarms read: Powertools' `service`, and nothing else. */
const ALARMED = { service: 'muster' };

describe('the metrics an import publishes for its alarms and dashboard', () => {
  it('reports each batch, the welcome emails and the run, under the dimensions the alarms watch', async () => {
    const tenantId = uniqueTenant('metrics');
    const admin = await principal(tenantId, 'admin@acme.test', ['tenant_admin']);
    const taken = `taken@${tenantId}.test`;
    const correlationId = `metrics-${randomUUID()}`;
    await commitWithOneTakenRow(admin, tenantId, {
      correlationId,
      sendWelcome: true,
      takenEmail: taken,
    });

    const points = async (name: string) => {
      const found = await metricDataPoints({ name, correlationId });
      return found.map((point: DataPoint) => ({
        unit: point.unit,
        values: point.values,
        dimensions: point.dimensions,
      }));
    };
    // One batch of two rows, one failed: 50%, the data point the three-batches alarm reads.
    expect(await points('iam_bulk_import_batch_error_ratio')).toEqual([
      { unit: 'Percent', values: [50], dimensions: ALARMED },
    ]);
    expect(await points('iam_bulk_import_error_ratio')).toEqual([
      { unit: 'Percent', values: [50], dimensions: ALARMED },
    ]);
    // The one email sent, none failed.
    expect(await points('iam_bulk_import_notification_failure_ratio')).toEqual([
      { unit: 'Percent', values: [0], dimensions: ALARMED },
    ]);
    const latency = await points('iam_bulk_import_notification_latency_seconds');
    expect(latency).toEqual([{ unit: 'Seconds', values: [expect.any(Number)], dimensions: ALARMED }]);
    expect(latency[0]?.values[0]).toBeGreaterThanOrEqual(0);
    // The duration per tenant, as the seed asks, and its dimensionless twin for the runtime alarm.
    const durations = await points('iam_bulk_import_duration_seconds');
    expect(durations.map((point) => point.dimensions)).toEqual(
      expect.arrayContaining([ALARMED, { ...ALARMED, tenant: tenantId }]),
    );
    expect(durations).toHaveLength(2);
    expect(durations[0]?.values).toEqual(durations[1]?.values);
  });
});
