import { describe, expect, it } from 'vitest';
import type { BatchOutcome } from '../../../functions/bulk-import/domain/row-outcome';
import { notifyBatch } from '../../../functions/bulk-import/use-cases/notify-batch';

const outcome: BatchOutcome = {
  run: 1,
  batch: 1,
  provisionedAt: '2026-11-22T09:58:00Z',
  rows: [
    { row: 2, email: 'a@acme.test', userId: 'u_a', status: 'CREATED' },
    { row: 3, email: 'b@acme.test', userId: 'u_b', status: 'CREATED', notification: 'SENT' },
    { row: 4, email: 'c@acme.test', status: 'FAILED', code: 'ALREADY_EXISTS' },
  ],
};

function run(issueAll: () => Promise<Map<string, string>>) {
  const stored: BatchOutcome[] = [];
  const sent: string[] = [];
  const done = notifyBatch(
    {
      tasks: {
        getBatchOutcome: async () => outcome,
        putBatchOutcome: async (_tenant, _task, updated) => {
          stored.push(updated);
        },
      },
      reports: {
        readText: async () =>
          JSON.stringify({
            rows: [{ row: 2, email: 'a@acme.test', groups: [], roles: [], rolesPendingApproval: [] }],
          }),
      },
      tokens: { issueAll },
      mailer: {
        send: async ({ to }) => {
          sent.push(String(to));
        },
      },
      activationUrlBase: 'https://muster.test/activate',
      activationTtlHours: 24,
      clock: () => new Date('2026-11-22T10:00:00Z'),
    },
    {
      batch: { number: 1, key: 'batches/1.json' },
      tenantId: 'acme',
      taskId: 't_1',
      run: 1,
      correlationId: 'c',
      sendWelcome: true,
      notificationsEnabled: true,
    },
  );
  return { done, stored, sent };
}

describe('notifyBatch', () => {
  it('emails each created row not yet emailed, once, with a token issued in one call', async () => {
    const asked: string[][] = [];
    const { done, stored, sent } = run(async () => {
      asked.push(['u_a']);
      return new Map([['u_a', 'token-a']]);
    });
    // The batch's emails sent in all, row 3's earlier one included; this step sent one of them.
    expect(await done).toEqual({ notified: 2, delivery: { sent: 1, failed: 0, latencySeconds: 120 } });
    expect(asked).toEqual([['u_a']]);
    expect(sent).toEqual(['a@acme.test']);
    expect(stored[0]?.rows.map((row) => row.notification)).toEqual(['SENT', 'SENT', undefined]);
  });

  it('records the emails as FAILED when the tokens cannot be stored, and never fails the batch', async () => {
    const { done, stored, sent } = run(async () => {
      throw new Error('ProvisionedThroughputExceededException');
    });
    expect(await done).toEqual({ notified: 1, delivery: { sent: 0, failed: 1 } });
    expect(sent).toEqual([]);
    expect(stored[0]?.rows.map((row) => row.notification)).toEqual(['FAILED', 'SENT', undefined]);
  });
});
