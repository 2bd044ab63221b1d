import { useCallback, useEffect, useState } from 'react';
import { api, problemOf, unwrap } from '../../api/client';
import type { ApiProblem } from '../../lib/api-error';
import { type ImportTask, isSettled, runProgress } from '../../lib/import-task';
import { addSample, type ProgressSample } from '../../lib/progress';

const POLL_INTERVAL_MS = 1000;

/**
 * Follows one import task: reads it until nothing will change it without someone acting, keeping
 * progress readings of the run for the rate and ETA. A failed read is shown and polling goes on,
 * so a blip does not leave the page stale.
 */
export function useImportTask(taskId: string | undefined) {
  const [task, setTask] = useState<ImportTask>();
  const [problem, setProblem] = useState<ApiProblem>();
  const [samples, setSamples] = useState<ProgressSample[]>([]);
  const [generation, setGeneration] = useState(0);
  const refresh = useCallback(() => setGeneration((value) => value + 1), []);

  useEffect(() => {
    if (!taskId) {
      setTask(undefined);
      return;
    }
    void generation;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const next = await unwrap(
          api.GET('/internal/iam/users/bulk-import/{taskId}', { params: { path: { taskId } } }),
        );
        if (stopped) return;
        setTask(next);
        setProblem(undefined);
        if (next.status === 'PROVISIONING') {
          setSamples((earlier) =>
            addSample(earlier, { at: Date.now(), done: runProgress(next.counts).done }),
          );
        }
        if (isSettled(next.status)) return;
      } catch (error) {
        if (stopped) return;
        setProblem(problemOf(error));
        // A task that is not there will not appear by polling.
        if (problemOf(error).status === 404) return;
      }
      timer = setTimeout(poll, POLL_INTERVAL_MS);
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [taskId, generation]);

  /** A new run starts measuring its own rate. */
  const startRun = useCallback(() => {
    setSamples([]);
    refresh();
  }, [refresh]);

  return { task, problem, samples, refresh, startRun };
}
