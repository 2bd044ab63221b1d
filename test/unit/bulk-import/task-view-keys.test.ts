import { describe, expect, it } from 'vitest';
import type { ImportTask } from '../../../functions/bulk-import/adapters/import-task-repository';
import { artifactKeys } from '../../../functions/bulk-import/domain/artifact-keys';
import {
  describeTask,
  listIssues,
  type TaskViewDeps,
} from '../../../functions/bulk-import/use-cases/task-view';

const TASK_ID = 't_01jabc2def3ghj4kmn5pqr6st7';

function taskWith(artifacts: ImportTask['artifacts']): ImportTask {
  return {
    tenantId: 'acme',
    taskId: TASK_ID,
    fileId: 'f_01jabc2def3ghj4kmn5pqr6st7',
    fileName: 'people.csv',
    objectKey: 'tenants/acme/uploads/f_01jabc2def3ghj4kmn5pqr6st7',
    status: 'VALIDATED',
    counts: { total: 1, valid: 1, invalid: 0, succeeded: 0, failed: 0, notified: 0, pendingApproval: 0 },
    createdBy: 'u_admin',
    createdAt: '2026-11-22T09:00:00.000Z',
    updatedAt: '2026-11-22T09:30:00.000Z',
    run: 0,
    artifacts,
  } as ImportTask;
}

/** A task store of one task, and a bucket that records which keys were signed or read. */
function world(task: ImportTask) {
  const touched: string[] = [];
  const deps: TaskViewDeps = {
    tasks: { getTask: async () => task, listBatchSummaries: async () => [] },
    reports: {
      presignDownload: async (key) => {
        touched.push(key);
        return `https://reports.example/${key}`;
      },
      size: async (key) => {
        touched.push(key);
        return 0;
      },
      readRange: async (key) => {
        touched.push(key);
        return '';
      },
    },
  };
  return { deps, touched };
}

describe('task links and issues only ever address the caller tenant', () => {
  it('signs the report links of the tenant own keys', async () => {
    const { deps, touched } = world(taskWith({ reportCsv: artifactKeys.reportCsv('acme', TASK_ID) }));
    const view = await describeTask(deps, 'acme', TASK_ID);
    expect(view.reportUrl).toBe(`https://reports.example/tenants/acme/imports/${TASK_ID}/report.csv`);
    expect(touched).toEqual([artifactKeys.reportCsv('acme', TASK_ID)]);
  });

  it('a stored key outside the tenant (tampered) signs nothing and reads nothing: 403 KEY_OUTSIDE_TENANT', async () => {
    for (const key of [
      artifactKeys.reportCsv('globex', TASK_ID),
      `tenants/acme/imports/../../globex/imports/${TASK_ID}/report.csv`,
    ]) {
      const { deps, touched } = world(taskWith({ reportCsv: key, issues: key }));
      await expect(describeTask(deps, 'acme', TASK_ID)).rejects.toMatchObject({ code: 'KEY_OUTSIDE_TENANT' });
      await expect(listIssues(deps, 'acme', TASK_ID, { limit: 10 })).rejects.toMatchObject({
        code: 'KEY_OUTSIDE_TENANT',
      });
      expect(touched).toEqual([]);
    }
  });
});
