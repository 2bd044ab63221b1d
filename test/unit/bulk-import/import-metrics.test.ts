import { describe, expect, it } from 'vitest';
import {
  batchErrorRatio,
  failurePercent,
  notificationDelivery,
  notificationFailureRatio,
  runErrorRatio,
} from '../../../functions/bulk-import/domain/import-metrics';

const provisionedAt = '2026-11-22T10:00:00.000Z';
const at = (seconds: number) => new Date(Date.parse(provisionedAt) + seconds * 1000);

describe('failurePercent', () => {
  it('is in percent, the unit the alarm thresholds are written in', () => {
    expect(failurePercent(1, 20)).toBe(5);
    expect(failurePercent(3, 3)).toBe(100);
  });

  it('is no failure when nothing was attempted', () => {
    expect(failurePercent(0, 0)).toBe(0);
  });
});

describe('runErrorRatio', () => {
  it('counts the valid rows a run did not provision; invalid rows never reached provisioning', () => {
    expect(runErrorRatio({ valid: 40, failed: 2 })).toBe(5);
    expect(runErrorRatio({ valid: 0, failed: 0 })).toBe(0);
  });
});

describe('batchErrorRatio', () => {
  it('is the share of the batch rows that failed', () => {
    const rows = [
      { status: 'CREATED' as const },
      { status: 'FAILED' as const },
      { status: 'CREATED' as const },
    ];
    expect(batchErrorRatio(rows)).toBeCloseTo(33.333, 2);
    expect(batchErrorRatio([{ status: 'CREATED' }])).toBe(0);
    expect(batchErrorRatio([])).toBe(0);
  });
});

describe('notificationDelivery', () => {
  it('counts the emails sent by this step and the latency since the batch was provisioned', () => {
    const before = [{}, {}, { notification: 'FAILED' as const }];
    const after = [
      { notification: 'SENT' as const },
      { notification: 'FAILED' as const },
      { notification: 'SENT' as const },
    ];
    expect(notificationDelivery(before, after, provisionedAt, at(90))).toEqual({
      sent: 2,
      failed: 1,
      latencySeconds: 90,
    });
  });

  it('does not count again an email a retried step found already sent', () => {
    const before = [{ notification: 'SENT' as const }, {}];
    const after = [{ notification: 'SENT' as const }, { notification: 'SENT' as const }];
    expect(notificationDelivery(before, after, provisionedAt, at(5))).toEqual({
      sent: 1,
      failed: 0,
      latencySeconds: 5,
    });
  });

  it('has no latency when nothing was sent, or when the batch predates its provisioning time', () => {
    const failedOnly = notificationDelivery([{}], [{ notification: 'FAILED' }], provisionedAt, at(5));
    expect(failedOnly).toEqual({ sent: 0, failed: 1 });
    expect(notificationDelivery([{}], [{ notification: 'SENT' }], undefined, at(5))).toEqual({
      sent: 1,
      failed: 0,
    });
  });

  it('never reports a negative latency when clocks disagree', () => {
    expect(notificationDelivery([{}], [{ notification: 'SENT' }], provisionedAt, at(-2)).latencySeconds).toBe(
      0,
    );
  });
});

describe('notificationFailureRatio', () => {
  it('is the share of the attempted emails that failed', () => {
    expect(notificationFailureRatio({ sent: 97, failed: 3 })).toBe(3);
  });

  it('is absent when the step tried no email (skipped or all sent before), so it is not a 0% data point', () => {
    expect(notificationFailureRatio({ sent: 0, failed: 0 })).toBeUndefined();
  });
});
