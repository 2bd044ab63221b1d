import { APPROVAL_ACCESS, type ResourceAccess } from './resource-access';

/**
 * Functions run on a clock, read by the CDK schedules construct (an EventBridge schedule rule each)
 * and by the local stack (a timer each, and `POST /_local/schedules/{name}/run` to fire one at a
 * given time). The target receives EventBridge's Scheduled Event; its `time` is the sweep's clock,
 * which is how the local stack and its tests run a sweep "in three days" without waiting.
 */
export interface ScheduleDefinition {
  readonly name: string;
  readonly description: string;
  /** Minutes between runs: the local stack's timer, and the age past which a run is not retried. */
  readonly rateMinutes: number;
  /**
   * Pins the runs to a UTC wall-clock time (EventBridge cron fields) instead of every `rateMinutes`
   * from the deploy: a weekly report is for Monday morning, not for a week after whenever it shipped.
   */
  readonly cron?: { readonly minute: string; readonly hour: string; readonly weekDay: string };
  readonly target: {
    readonly entry: string;
    readonly export: string;
    readonly access: readonly ResourceAccess[];
  };
}

export const SCHEDULES: readonly ScheduleDefinition[] = [
  {
    name: 'ApprovalSweep',
    description:
      'Reminds and escalates approvals pending past their SLA; expires those past their maximum wait.',
    rateMinutes: 5,
    target: {
      entry: 'functions/approvals/handlers/approval-sweep.ts',
      export: 'handler',
      access: APPROVAL_ACCESS,
    },
  },
  {
    name: 'EntitlementExpirySweep',
    description: 'Reminds holders before a grant ends (iam.permission.expiring) and revokes it at its end.',
    rateMinutes: 15,
    target: {
      entry: 'functions/entitlements/handlers/expiry-sweep.ts',
      export: 'handler',
      access: ['table:read', 'table:write', 'bus:publish', 'mail:send', 'entitlement-settings'],
    },
  },
  {
    name: 'BulkImportWeeklySummary',
    description:
      "Writes the past week's bulk imports per tenant (rows, outcomes, error ratio, p95 duration, retries, pending approvals) to reports/iam/bulk-import-summary.csv.",
    rateMinutes: 7 * 24 * 60,
    cron: { minute: '0', hour: '6', weekDay: 'MON' },
    target: {
      entry: 'functions/bulk-import/handlers/weekly-summary.ts',
      export: 'handler',
      access: ['table:read', 'reports:write'],
    },
  },
];
