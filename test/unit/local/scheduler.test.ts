import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ScheduleDefinition } from '../../../config/schedules';
import { createLocalScheduler, type ScheduledEvent } from '../../../local/schedules/scheduler';

const sweep: ScheduleDefinition = {
  name: 'Sweep',
  description: 'test',
  rateMinutes: 5,
  target: { entry: 'functions/x.ts', export: 'handler', access: [] },
};

afterEach(() => {
  vi.useRealTimers();
});

describe('the local scheduler', () => {
  it("fires a target with EventBridge's Scheduled Event, its time the given clock to the second", async () => {
    const invoke = vi.fn(async (_target: unknown, event: ScheduledEvent) => event.time);
    const scheduler = createLocalScheduler({
      schedules: [sweep],
      invoke,
      region: 'eu-west-1',
      accountId: '1',
    });
    const result = await scheduler.fire('Sweep', new Date('2031-02-03T04:05:06.789Z'));
    expect(result).toBe('2031-02-03T04:05:06Z');
    await scheduler.fire('Sweep', new Date(), { tenantId: 'acme' });
    expect(invoke).toHaveBeenLastCalledWith(
      sweep.target,
      expect.objectContaining({ detail: { tenantId: 'acme' } }),
    );
    expect(invoke).toHaveBeenCalledWith(
      sweep.target,
      expect.objectContaining({
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        resources: ['arn:aws:events:eu-west-1:1:rule/Sweep'],
        detail: {},
      }),
    );
    expect(scheduler.has('Sweep')).toBe(true);
    await expect(scheduler.fire('Other', new Date())).rejects.toThrow(/no schedule named "Other"/);
  });

  it('runs each schedule at its rate until stopped, skipping a turn while the previous run is still going', async () => {
    vi.useFakeTimers();
    let release: () => void = () => {};
    const invoke = vi.fn(() => new Promise<void>((resolve) => (release = resolve)));
    const scheduler = createLocalScheduler({ schedules: [sweep], invoke, region: 'r', accountId: '1' });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect(invoke).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect(invoke).toHaveBeenCalledTimes(1);
    release();
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect(invoke).toHaveBeenCalledTimes(2);
    scheduler.stop();
    release();
    await vi.advanceTimersByTimeAsync(60 * 60_000);
    expect(invoke).toHaveBeenCalledTimes(2);
  });
});
