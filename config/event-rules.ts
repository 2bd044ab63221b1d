/**
 * EventBridge rules on the Muster bus, read by both the CDK events construct and the local
 * PutEvents endpoint, which routes events by the same patterns to the same handlers.
 */
import { EVENT_TARGET_ACCESS, type ResourceAccess, type StateMachineName } from './resource-access';

export const EVENT_SOURCE = 'muster.iam';

export type EventPatternValue = string | { readonly prefix: string };

export interface EventPattern {
  readonly source?: readonly EventPatternValue[];
  readonly 'detail-type'?: readonly EventPatternValue[];
  /** Top-level fields of the event's detail, each matching any of its values. */
  readonly detail?: Readonly<Record<string, readonly EventPatternValue[]>>;
}

export interface EventRuleDefinition {
  readonly name: string;
  readonly description: string;
  readonly pattern: EventPattern;
  readonly target: { readonly entry: string; readonly export: string };
  /**
   * `default`: AWS services (Step Functions among them) put their events on the account's default
   * bus, not on Muster's; locally there is one bus for both.
   */
  readonly bus?: 'muster' | 'default';
  /** The events of this state machine only (CDK matches `detail.stateMachineArn` against it). */
  readonly stateMachine?: StateMachineName;
  /** What the target may touch beyond EVENT_TARGET_ACCESS (config/resource-access.ts). */
  readonly access?: readonly ResourceAccess[];
}

export const EVENT_RULES: readonly EventRuleDefinition[] = [
  {
    name: 'AuditTrail',
    description: 'Every iam.* event becomes an audit record.',
    pattern: { source: [EVENT_SOURCE], 'detail-type': [{ prefix: 'iam.' }] },
    target: { entry: 'functions/audit/handlers/audit-writer.ts', export: 'handler' },
  },
  {
    name: 'BulkImportExecutionEnded',
    description:
      'A bulk-import execution that failed, timed out or was aborted marks its task FAILED: the workflow has no Catch for a provisioning step, so that a redrive resumes the step that failed.',
    pattern: {
      source: ['aws.states'],
      'detail-type': ['Step Functions Execution Status Change'],
      detail: { status: ['FAILED', 'TIMED_OUT', 'ABORTED'] },
    },
    bus: 'default',
    stateMachine: 'BulkImport',
    target: { entry: 'functions/bulk-import/handlers/execution-status.ts', export: 'handler' },
    // Finalizing a run FAILED writes its exports, publishes iam.user.bulk_imported and mails the summary.
    access: ['table:read', 'reports:read', 'reports:write', 'bus:publish', 'mail:send', 'import-settings'],
  },
];

/** What a rule's target may touch: what every target may, and what the rule adds. */
export function eventTargetAccess(rule: EventRuleDefinition): ResourceAccess[] {
  return [...new Set([...EVENT_TARGET_ACCESS, ...(rule.access ?? [])])];
}
