import { describe, expect, it } from 'vitest';
import {
  describeSubject,
  findingsHeading,
  findingTarget,
  justificationProblem,
} from '../../../web/src/lib/approvals';

const finding = {
  code: 'DUPLICATE_MEMBER' as const,
  severity: 'merged' as const,
  message: 'm',
  suggestion: 's',
};

describe('the approvals inbox logic', () => {
  it('asks a justification of a high-risk decision only, and none beyond the stored limit', () => {
    expect(justificationProblem('high', '  ')).toMatch(/needs a justification/);
    expect(justificationProblem('high', 'Confirmed with HR.')).toBeUndefined();
    expect(justificationProblem('low', '')).toBeUndefined();
    expect(justificationProblem('low', 'x'.repeat(2001))).toMatch(/under 2,000 characters/);
  });

  it('names the subject of an import and of an assignment', () => {
    expect(describeSubject({ type: 'bulk_import', taskId: 't_1', run: 2 })).toBe('Bulk import t_1, run 2');
    expect(describeSubject({ type: 'batch_assign', assignmentId: 'asg_1' })).toBe('Batch assignment asg_1');
  });

  it('heads the findings with their count, and says when only the first are kept', () => {
    expect(findingsHeading({ findings: [], findingCount: 0 })).toBe(
      'No findings beyond the risk of what is granted',
    );
    expect(findingsHeading({ findings: [finding], findingCount: 1 })).toBe('1 finding');
    expect(findingsHeading({ findings: [finding, finding], findingCount: 60 })).toBe(
      '60 findings (the first 2 shown)',
    );
  });

  it('says whom a finding is about', () => {
    expect(findingTarget({ ...finding, member: 'ann@x.test', bundleId: 'viewer' })).toBe(
      'ann@x.test · viewer',
    );
    expect(findingTarget({ ...finding, bundleId: 'viewer' })).toBe('viewer');
    expect(findingTarget(finding)).toBe('the request');
  });
});
