import { describe, expect, it } from 'vitest';
import { isStaleStatusChange } from '../../../functions/bulk-import/domain/execution-status';

const stoppedAt = Date.parse('2026-11-22T10:00:00Z');

describe('isStaleStatusChange', () => {
  it('is stale once a redrive put the run back to PROVISIONING after the execution stopped', () => {
    expect(
      isStaleStatusChange(
        { status: 'PROVISIONING', run: 2, updatedAt: '2026-11-22T10:05:00Z' },
        { run: 2, stoppedAt },
      ),
    ).toBe(true);
  });

  it('is not stale for a run provisioning since before it stopped: the first delivery marks it FAILED', () => {
    expect(
      isStaleStatusChange(
        { status: 'PROVISIONING', run: 2, updatedAt: '2026-11-22T09:55:00Z' },
        { run: 2, stoppedAt },
      ),
    ).toBe(false);
  });

  it('is not stale for a task already FAILED or otherwise final (finalize leaves those as they are)', () => {
    expect(
      isStaleStatusChange(
        { status: 'FAILED', run: 2, updatedAt: '2026-11-22T10:05:00Z' },
        { run: 2, stoppedAt },
      ),
    ).toBe(false);
  });

  it("leaves another run's change to finalize, which is conditional on the run", () => {
    expect(
      isStaleStatusChange(
        { status: 'PROVISIONING', run: 3, updatedAt: '2026-11-22T10:05:00Z' },
        { run: 2, stoppedAt },
      ),
    ).toBe(false);
  });
});
