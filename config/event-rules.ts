/**
 * EventBridge rules on the Muster bus, read by both the CDK events construct and the local
 * PutEvents endpoint, which routes events by the same patterns to the same handlers.
 */
export const EVENT_SOURCE = 'muster.iam';

export type EventPatternValue = string | { readonly prefix: string };

export interface EventPattern {
  readonly source?: readonly EventPatternValue[];
  readonly 'detail-type'?: readonly EventPatternValue[];
}

export interface EventRuleDefinition {
  readonly name: string;
  readonly description: string;
  readonly pattern: EventPattern;
  readonly target: { readonly entry: string; readonly export: string };
}

export const EVENT_RULES: readonly EventRuleDefinition[] = [
  {
    name: 'AuditTrail',
    description: 'Every iam.* event becomes an audit record.',
    pattern: { source: [EVENT_SOURCE], 'detail-type': [{ prefix: 'iam.' }] },
    target: { entry: 'functions/audit/handlers/audit-writer.ts', export: 'handler' },
  },
];
