import { describe, expect, it } from 'vitest';
import { EVENT_RULES } from '../../../config/event-rules';
import { matchesPattern } from '../../../local/eventbridge/pattern';

const event = (source: string, detailType: string) => ({ source, 'detail-type': detailType });

describe('matchesPattern', () => {
  it('matches exact strings, any of the listed values', () => {
    const pattern = { source: ['muster.iam', 'muster.ops'] };
    expect(matchesPattern(pattern, event('muster.iam', 'x'))).toBe(true);
    expect(matchesPattern(pattern, event('muster.ops', 'x'))).toBe(true);
    expect(matchesPattern(pattern, event('muster.iam.extra', 'x'))).toBe(false);
    expect(matchesPattern(pattern, event('MUSTER.IAM', 'x'))).toBe(false);
  });

  it('matches a case-sensitive prefix', () => {
    const pattern = { 'detail-type': [{ prefix: 'iam.' }] };
    expect(matchesPattern(pattern, event('s', 'iam.user.created'))).toBe(true);
    expect(matchesPattern(pattern, event('s', 'iam.'))).toBe(true);
    expect(matchesPattern(pattern, event('s', 'IAM.user.created'))).toBe(false);
    expect(matchesPattern(pattern, event('s', 'xiam.user'))).toBe(false);
  });

  it('requires every field the pattern names, and ignores the fields it leaves out', () => {
    const pattern = { source: ['muster.iam'], 'detail-type': [{ prefix: 'iam.' }] };
    expect(matchesPattern(pattern, event('muster.iam', 'iam.user.created'))).toBe(true);
    expect(matchesPattern(pattern, event('other', 'iam.user.created'))).toBe(false);
    expect(matchesPattern(pattern, event('muster.iam', 'workspace.renamed'))).toBe(false);
    expect(matchesPattern({}, event('anything', 'at.all'))).toBe(true);
  });

  it('mixes strings and prefixes in one field', () => {
    const pattern = { 'detail-type': ['audit.replayed', { prefix: 'iam.' }] };
    expect(matchesPattern(pattern, event('s', 'audit.replayed'))).toBe(true);
    expect(matchesPattern(pattern, event('s', 'iam.permission.granted'))).toBe(true);
    expect(matchesPattern(pattern, event('s', 'audit.other'))).toBe(false);
  });

  it('matches top-level detail fields, and a detail without the field does not match', () => {
    const pattern = { source: ['aws.states'], detail: { status: ['FAILED', 'ABORTED'] } };
    const change = (detail: unknown) => ({
      ...event('aws.states', 'Step Functions Execution Status Change'),
      detail,
    });
    expect(matchesPattern(pattern, change({ status: 'ABORTED' }))).toBe(true);
    expect(matchesPattern(pattern, change({ status: 'SUCCEEDED' }))).toBe(false);
    expect(matchesPattern(pattern, change({}))).toBe(false);
    expect(matchesPattern(pattern, change(undefined))).toBe(false);
  });

  it('sends the bulk-import executions that end unsuccessfully to their status handler', () => {
    const rule = EVENT_RULES.find((candidate) => candidate.name === 'BulkImportExecutionEnded');
    const change = (status: string) => ({
      ...event('aws.states', 'Step Functions Execution Status Change'),
      detail: { status },
    });
    expect(
      rule &&
        ['FAILED', 'TIMED_OUT', 'ABORTED', 'SUCCEEDED', 'RUNNING'].filter((status) =>
          matchesPattern(rule.pattern, change(status)),
        ),
    ).toEqual(['FAILED', 'TIMED_OUT', 'ABORTED']);
  });

  it('sends iam.* events of muster.iam to the audit trail, as config/event-rules.ts says', () => {
    const auditTrail = EVENT_RULES.find((rule) => rule.name === 'AuditTrail');
    expect(auditTrail).toBeDefined();
    if (!auditTrail) return;
    expect(matchesPattern(auditTrail.pattern, event('muster.iam', 'iam.user.bulk_imported'))).toBe(true);
    expect(matchesPattern(auditTrail.pattern, event('aws.s3', 'iam.user.bulk_imported'))).toBe(false);
  });
});
