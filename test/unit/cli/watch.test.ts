import { describe, expect, it } from 'vitest';
import type { MusterApi, TaskView } from '../../../cli/api-client';
import type { CommandContext } from '../../../cli/context';
import { watchRun } from '../../../cli/watch';

function view(status: string, succeeded: number, failed = 0): TaskView {
  return {
    taskId: 't_1',
    status,
    run: 1,
    counts: {
      total: 4,
      valid: 4,
      invalid: 0,
      succeeded,
      failed,
      pendingApproval: 0,
      notified: 0,
      grantsApproved: 0,
      grantsRejected: 0,
    },
  };
}

/** A context whose API answers the task views in turn, and whose stderr is recorded. */
function watching(views: TaskView[], errIsTTY: boolean) {
  const written: string[] = [];
  const api = { task: async () => views.shift() ?? view('FAILED', 0) } as Pick<MusterApi, 'task'>;
  const context = {
    api: api as MusterApi,
    globals: { apiUrl: 'http://x', tenantId: 't', email: 'e', roles: [], json: false },
    terminal: { out: () => undefined, err: (text: string) => written.push(text), errIsTTY },
    pollIntervalMs: 0,
  } satisfies CommandContext;
  return { context, written };
}

describe('watchRun', () => {
  it('off a terminal, prints one line per change of status or rows, and returns the settled task', async () => {
    const { context, written } = watching(
      [
        view('PROVISIONING', 0),
        view('PROVISIONING', 0),
        view('PROVISIONING', 2),
        view('COMPLETED_WITH_ERRORS', 3, 1),
      ],
      false,
    );
    const settled = await watchRun(context, 't_1');
    expect(settled.status).toBe('COMPLETED_WITH_ERRORS');
    expect(written.map((line) => line.replace(/ · .*/, ''))).toEqual([
      'PROVISIONING [........................] 0/4 rows 0%\n',
      'PROVISIONING [############............] 2/4 rows 50%\n',
      'COMPLETED_WITH_ERRORS [########################] 4/4 rows 100%\n',
    ]);
  });

  it('on a terminal, redraws one line in place and ends it when the run settles', async () => {
    const { context, written } = watching(
      [view('PROVISIONING', 1), view('PROVISIONING', 1), view('COMPLETED', 4)],
      true,
    );
    await watchRun(context, 't_1');
    expect(written).toHaveLength(3);
    const clearToEndOfLine = '\u001b[K';
    for (const line of written) {
      expect(line.startsWith('\r')).toBe(true);
      expect(line).toContain(clearToEndOfLine);
    }
    expect(written.slice(0, 2).some((line) => line.endsWith('\n'))).toBe(false);
    expect(written[2]).toMatch(/^\rCOMPLETED .* 4\/4 rows 100%/);
    expect(written[2]?.endsWith(`${clearToEndOfLine}\n`)).toBe(true);
  });

  it('stops at AWAITING_APPROVAL: the run waits for a person, not for the CLI', async () => {
    const { context } = watching([view('PROVISIONING', 0), view('AWAITING_APPROVAL', 4)], false);
    expect((await watchRun(context, 't_1')).status).toBe('AWAITING_APPROVAL');
  });
});
