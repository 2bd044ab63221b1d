import { type MouseEvent, useEffect, useId, useRef, useState } from 'react';
import { api, problemOf, unwrap } from '../api/client';
import { DataTable } from '../components/DataTable';
import { Empty, Loading, ProblemBanner } from '../components/states';
import type { ApiProblem } from '../lib/api-error';
import { IMPORT_STATUSES } from '../lib/import-task';
import {
  importDuration,
  importsQuery,
  type ListedImport,
  type ListedStatus,
  operatorLabel,
  statusLabel,
} from '../lib/imports';

/** The tenant's imports, newest first; a row reopens its task in the wizard. */
export function ImportsPage({
  taskAddress,
  onOpen,
}: {
  taskAddress: (taskId: string) => string;
  onOpen: (taskId: string) => void;
}) {
  const [status, setStatus] = useState<ListedStatus | ''>('');
  const [items, setItems] = useState<ListedImport[]>();
  const [nextToken, setNextToken] = useState<string>();
  const [problem, setProblem] = useState<ApiProblem>();
  const [loadingMore, setLoadingMore] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const statusId = useId();

  // Each list (a filter, a retry) is a generation: an answer that arrives after a newer list began
  // — a slow "Load more" before the filter changed — is dropped instead of mixed into it.
  const generation = useRef(0);

  const load = async (token: string | undefined) => {
    const mine = generation.current;
    setProblem(undefined);
    setLoadingMore(token !== undefined);
    try {
      const page = await unwrap(
        api.GET('/internal/iam/users/bulk-import', { params: { query: importsQuery(status, token) } }),
      );
      if (mine !== generation.current) return;
      setItems((earlier) => (token ? [...(earlier ?? []), ...page.items] : page.items));
      setNextToken(page.nextToken);
    } catch (error) {
      if (mine === generation.current) setProblem(problemOf(error));
    } finally {
      if (mine === generation.current) setLoadingMore(false);
    }
  };

  // biome-ignore lint/correctness/useExhaustiveDependencies: reloads when the filter or a retry change.
  useEffect(() => {
    generation.current += 1;
    setItems(undefined);
    setNextToken(undefined);
    void load(undefined);
  }, [status, attempt]);

  const open = (event: MouseEvent<HTMLAnchorElement>, taskId: string) => {
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    onOpen(taskId);
  };

  return (
    <div>
      <h1>Imports</h1>
      <form className="filters" aria-label="Filter the imports" onSubmit={(event) => event.preventDefault()}>
        <div className="field">
          <label htmlFor={statusId}>Status</label>
          <select
            id={statusId}
            data-testid="imports-status"
            value={status}
            onChange={(event) => setStatus(event.target.value as ListedStatus | '')}
          >
            <option value="">Every status</option>
            {IMPORT_STATUSES.map((value) => (
              <option key={value} value={value}>
                {statusLabel(value)}
              </option>
            ))}
          </select>
        </div>
      </form>
      {problem && <ProblemBanner problem={problem} onRetry={() => setAttempt((value) => value + 1)} />}
      {!items && !problem && <Loading label="Loading the imports…" />}
      {items && items.length === 0 && !nextToken && (
        <Empty title={status ? `No import is ${statusLabel(status).toLowerCase()}.` : 'No imports yet.'}>
          <p>Imports started in the wizard show here, newest first.</p>
        </Empty>
      )}
      {items && items.length > 0 && (
        <DataTable
          testId="imports-table"
          caption="Imports, newest first"
          columns={[
            'File',
            'Status',
            'Valid',
            'Invalid',
            'Succeeded',
            'Failed',
            'Operator',
            'Created',
            'Duration',
          ]}
        >
          {items.map((item) => (
            <tr key={item.taskId} data-testid="import-row" data-task={item.taskId}>
              <td>
                <a
                  href={taskAddress(item.taskId)}
                  onClick={(event) => open(event, item.taskId)}
                  data-testid="open-import"
                >
                  {item.fileName}
                </a>
              </td>
              <td>
                <span className={`status status-${item.status.toLowerCase()}`} data-testid="import-status">
                  {statusLabel(item.status)}
                </span>
              </td>
              <td data-testid="import-valid">{item.counts.valid.toLocaleString()}</td>
              <td data-testid="import-invalid">{item.counts.invalid.toLocaleString()}</td>
              <td data-testid="import-succeeded">{item.counts.succeeded.toLocaleString()}</td>
              <td data-testid="import-failed">{item.counts.failed.toLocaleString()}</td>
              <td>{operatorLabel(item.operator)}</td>
              <td>
                <time dateTime={item.createdAt}>{new Date(item.createdAt).toLocaleString()}</time>
              </td>
              <td>{importDuration(item)}</td>
            </tr>
          ))}
        </DataTable>
      )}
      {/* Only a filtered listing stops short: it reads a bounded number of imports per request. */}
      {items && items.length === 0 && nextToken && status && !problem && (
        <p data-testid="imports-searching">
          No import is {statusLabel(status).toLowerCase()} among the most recent ones read so far: load more
          to look further back.
        </p>
      )}
      {nextToken && !problem && (
        <button
          type="button"
          data-testid="load-more"
          disabled={loadingMore}
          onClick={() => void load(nextToken)}
        >
          {loadingMore ? 'Loading…' : 'Load more'}
        </button>
      )}
    </div>
  );
}
