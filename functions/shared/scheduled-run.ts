import { z } from 'zod';
import type { SweepScope } from './aws/due-index';

/**
 * EventBridge's Scheduled Event, as the sweeps of config/schedules.ts read it: its `time` is the
 * sweep's clock. A schedule rule sends `detail: {}`; `detail.tenantId` narrows a run to one tenant,
 * for an operator re-running a sweep for a tenant, or for the local stack's tests, whose fake clock
 * must not reach other tests' tenants.
 */
const scheduledRunSchema = z.object({
  'detail-type': z.literal('Scheduled Event'),
  time: z.iso.datetime({ offset: true }),
  detail: z.object({ tenantId: z.string().trim().min(1).max(128).optional() }).default({}),
});

/** What a scheduled event asks a sweep to cover; a malformed event throws (the run fails, visibly). */
export function sweepScopeOf(event: unknown): SweepScope {
  const { time, detail } = scheduledRunSchema.parse(event);
  return { now: new Date(time), ...(detail.tenantId === undefined ? {} : { tenantId: detail.tenantId }) };
}
