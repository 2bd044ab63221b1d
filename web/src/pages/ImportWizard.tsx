import { type FormEvent, useCallback, useEffect, useId, useState } from 'react';
import { api, problemOf, unwrap } from '../api/client';
import { uploadFile } from '../api/upload';
import { Loading, Notice, ProblemBanner } from '../components/states';
import type { ApiProblem } from '../lib/api-error';
import {
  canCommit,
  canRetry,
  fileProblem,
  formatBytes,
  type ImportIssue,
  type ImportTask,
  runProgress,
  stageOf,
  type ValidationStarted,
} from '../lib/import-task';
import { statusLabel, TASK_PARAM } from '../lib/imports';
import { countOf, estimateProgress, formatDuration, type ProgressSample } from '../lib/progress';
import { FileDrop } from './import/FileDrop';
import { IssuesTable } from './import/IssuesTable';
import { useImportTask } from './import/useImportTask';

const TEMPLATE_PATH = '/internal/iam/users/bulk-import/template';
/** Issues shown inline; the report download holds them all. */
const MAX_INLINE_ISSUES = 2000;

type UploadState =
  | { readonly kind: 'idle' }
  | { readonly kind: 'uploading'; readonly file: File; readonly loaded: number; readonly total: number }
  | { readonly kind: 'refused'; readonly message: string | ApiProblem };

/** The task a reload comes back to: kept in the address as `?task=`. */
function taskInAddress(): string | undefined {
  return new URLSearchParams(window.location.search).get(TASK_PARAM) ?? undefined;
}

function rememberTask(taskId: string | undefined) {
  const url = new URL(window.location.href);
  if (taskId) url.searchParams.set(TASK_PARAM, taskId);
  else url.searchParams.delete(TASK_PARAM);
  window.history.replaceState(null, '', url);
}

export function ImportWizard() {
  const [taskId, setTaskId] = useState<string | undefined>(taskInAddress);
  const [upload, setUpload] = useState<UploadState>({ kind: 'idle' });
  const { task, problem, samples, refresh, startRun } = useImportTask(taskId);

  const follow = (next: string | undefined) => {
    rememberTask(next);
    setTaskId(next);
  };

  const send = async (file: File) => {
    const refusal = fileProblem(file);
    if (refusal) {
      setUpload({ kind: 'refused', message: refusal });
      return;
    }
    setUpload({ kind: 'uploading', file, loaded: 0, total: file.size });
    try {
      const target = await unwrap(
        api.POST('/internal/iam/users/bulk-import/uploads', {
          body: { fileName: file.name, sizeBytes: file.size },
        }),
      );
      await uploadFile(target, file, (loaded, total) =>
        setUpload({ kind: 'uploading', file, loaded, total }),
      );
      // Validation starts by itself when the file lands; this names its task (same file, same task).
      const started = await startValidation(target.fileId);
      setUpload({ kind: 'idle' });
      follow(started.taskId);
    } catch (error) {
      setUpload({
        kind: 'refused',
        message: error instanceof Error && !('problem' in error) ? error.message : problemOf(error),
      });
    }
  };

  return (
    <div className="wizard">
      <h1>Import users</h1>
      <ol className="steps" aria-label="Steps">
        <StepMarker label="Upload" active={!task} done={Boolean(task)} />
        <StepMarker
          label="Review"
          active={task ? stageOf(task.status) === 'review' || stageOf(task.status) === 'validating' : false}
          done={task ? ['provisioning', 'finished'].includes(stageOf(task.status)) : false}
        />
        <StepMarker
          label="Provision"
          active={task ? ['provisioning', 'finished'].includes(stageOf(task.status)) : false}
          done={task?.status === 'COMPLETED'}
        />
      </ol>

      {!taskId && (
        <>
          <TemplateDownloads />
          <section className="card" aria-labelledby="upload-title">
            <h2 id="upload-title">2. Upload the file</h2>
            <FileDrop disabled={upload.kind === 'uploading'} onFile={(file) => void send(file)} />
            {upload.kind === 'uploading' && <UploadProgress {...upload} />}
            {upload.kind === 'refused' && <ProblemBanner problem={upload.message} />}
          </section>
        </>
      )}

      {taskId && !task && !problem && <Loading label="Loading the import…" />}
      {taskId && problem && <ProblemBanner problem={problem} onRetry={refresh} />}
      {task && (
        <TaskView
          task={task}
          samples={samples}
          onRunStarted={startRun}
          onStartOver={() => follow(undefined)}
        />
      )}
    </div>
  );
}

async function startValidation(fileId: string): Promise<ValidationStarted> {
  // The bucket's notification may lag the upload a moment: FILE_NOT_UPLOADED then means "not yet".
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await unwrap(api.POST('/internal/iam/users/bulk-import/validation', { body: { fileId } }));
    } catch (error) {
      if (problemOf(error).code !== 'FILE_NOT_UPLOADED' || attempt >= 10) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

function StepMarker({ label, active, done }: { label: string; active: boolean; done: boolean }) {
  return (
    <li
      className={`step${active ? ' step-active' : ''}${done ? ' step-done' : ''}`}
      aria-current={active ? 'step' : undefined}
    >
      {label}
    </li>
  );
}

function TemplateDownloads() {
  return (
    <section className="card" aria-labelledby="template-title">
      <h2 id="template-title">1. Get the template</h2>
      <p>Fill in one user per row. The XLSX template lists your tenant's roles and groups.</p>
      <div className="actions">
        <a
          className="button"
          href={`${TEMPLATE_PATH}?format=csv`}
          download="muster-users-template.csv"
          data-testid="template-csv"
        >
          Download CSV template
        </a>
        <a className="button" href={`${TEMPLATE_PATH}?format=xlsx`} data-testid="template-xlsx">
          Download XLSX template
        </a>
      </div>
    </section>
  );
}

function UploadProgress({ file, loaded, total }: { file: File; loaded: number; total: number }) {
  const percent = total > 0 ? Math.floor((loaded / total) * 100) : 0;
  return (
    <div className="upload-progress">
      <label htmlFor="upload-progress">
        Uploading {file.name}: {formatBytes(loaded)} of {formatBytes(total)}
      </label>
      <progress id="upload-progress" max={100} value={percent} data-testid="upload-progress">
        {percent}%
      </progress>
    </div>
  );
}

function TaskView({
  task,
  samples,
  onRunStarted,
  onStartOver,
}: {
  task: ImportTask;
  samples: ProgressSample[];
  onRunStarted: () => void;
  onStartOver: () => void;
}) {
  const stage = stageOf(task.status);
  return (
    <section
      className="card"
      aria-labelledby="task-title"
      data-testid="import-task"
      data-status={task.status}
      data-run={task.run}
    >
      <h2 id="task-title">
        {task.fileName}{' '}
        <span className={`status status-${task.status.toLowerCase()}`} data-testid="task-status">
          {statusLabel(task.status).toLowerCase()}
        </span>
      </h2>
      {stage === 'validating' && <Loading label="Checking every row…" />}
      {stage !== 'validating' && <Counts task={task} />}
      {task.failureReason && <ProblemBanner problem={task.failureReason} />}
      {stage === 'review' && <Review task={task} onCommitted={onRunStarted} />}
      {stage === 'provisioning' && <RunProgress task={task} samples={samples} />}
      {stage === 'finished' && <Finished task={task} onRetried={onRunStarted} />}
      <div className="actions">
        <button type="button" onClick={onStartOver} data-testid="start-over">
          Import another file
        </button>
      </div>
    </section>
  );
}

/** A count as the task panel shows it: label, value, and the key of its `count-*` test id. */
type CountItem = [label: string, value: number, key: string];

function Counts({ task }: { task: ImportTask }) {
  const { counts } = task;
  const committed = task.status !== 'VALIDATED' && task.status !== 'VALIDATION_FAILED';
  const validation: CountItem[] = [
    ['Rows', counts.total, 'total'],
    ['Valid', counts.valid, 'valid'],
    ['With errors', counts.invalid, 'invalid'],
  ];
  const provisioning: CountItem[] = [
    ['Created', counts.succeeded, 'succeeded'],
    ['Failed', counts.failed, 'failed'],
    ['Awaiting approval', counts.pendingApproval, 'pending'],
    ['Welcome emails', counts.notified, 'notified'],
  ];
  const items = committed ? [...validation, ...provisioning] : validation;
  return (
    <dl className="counts">
      {items.map(([label, value, key]) => (
        <div key={key}>
          <dt>{label}</dt>
          <dd data-testid={`count-${key}`}>{value.toLocaleString()}</dd>
        </div>
      ))}
    </dl>
  );
}

function Reports({ task }: { task: ImportTask }) {
  if (!task.reportUrl && !task.reportXlsxUrl) return null;
  return (
    <div className="actions">
      {task.reportUrl && (
        <a className="button" href={task.reportUrl} data-testid="report-csv">
          Download full report (CSV)
        </a>
      )}
      {task.reportXlsxUrl && (
        <a className="button" href={task.reportXlsxUrl} data-testid="report-xlsx">
          Download full report (XLSX)
        </a>
      )}
    </div>
  );
}

function useIssues(taskId: string) {
  const [state, setState] = useState<
    | { kind: 'loading' }
    | { kind: 'ready'; issues: ImportIssue[]; truncated: boolean }
    | { kind: 'error'; problem: ApiProblem }
  >({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    void attempt;
    let current = true;
    setState({ kind: 'loading' });
    (async () => {
      const issues: ImportIssue[] = [];
      let nextToken: string | undefined;
      do {
        const page = await unwrap(
          api.GET('/internal/iam/users/bulk-import/{taskId}/errors', {
            params: { path: { taskId }, query: { limit: 1000, ...(nextToken ? { nextToken } : {}) } },
          }),
        );
        issues.push(...page.items);
        nextToken = page.nextToken;
      } while (nextToken && issues.length < MAX_INLINE_ISSUES);
      if (current) {
        setState({
          kind: 'ready',
          issues: issues.slice(0, MAX_INLINE_ISSUES),
          truncated: Boolean(nextToken) || issues.length > MAX_INLINE_ISSUES,
        });
      }
    })().catch((error: unknown) => current && setState({ kind: 'error', problem: problemOf(error) }));
    return () => {
      current = false;
    };
  }, [taskId, attempt]);
  return { state, reload: () => setAttempt((value) => value + 1) };
}

function Review({ task, onCommitted }: { task: ImportTask; onCommitted: () => void }) {
  const { state, reload } = useIssues(task.taskId);
  return (
    <>
      <h3>Validation</h3>
      {task.status === 'VALIDATION_FAILED' && (
        <Notice>Nothing can be imported from this file: fix the issues below and upload it again.</Notice>
      )}
      <Reports task={task} />
      {state.kind === 'loading' && <Loading label="Loading the issues…" />}
      {state.kind === 'error' && <ProblemBanner problem={state.problem} onRetry={reload} />}
      {state.kind === 'ready' && <IssuesTable issues={state.issues} truncated={state.truncated} />}
      {canCommit(task) && <CommitForm task={task} onCommitted={onCommitted} />}
    </>
  );
}

function CommitForm({ task, onCommitted }: { task: ImportTask; onCommitted: () => void }) {
  const [sendWelcome, setSendWelcome] = useState(true);
  const [approvalNote, setApprovalNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem>();
  const ids = useId();

  const commit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setProblem(undefined);
    try {
      await unwrap(
        api.POST('/internal/iam/users/bulk-import/commit', {
          body: {
            taskId: task.taskId,
            sendWelcome,
            ...(approvalNote.trim() ? { approvalNote: approvalNote.trim() } : {}),
          },
        }),
      );
      onCommitted();
    } catch (error) {
      setProblem(problemOf(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="commit form" onSubmit={commit} aria-labelledby={`${ids}-title`}>
      <h3 id={`${ids}-title`}>Import {countOf(task.counts.valid, 'valid row')}</h3>
      {task.counts.invalid > 0 && (
        <p className="hint">
          {task.counts.invalid === 1 ? 'The row' : `The ${countOf(task.counts.invalid, 'row')}`} with errors{' '}
          {task.counts.invalid === 1 ? 'is' : 'are'} left out.
        </p>
      )}
      <label className="checkbox">
        <input
          type="checkbox"
          checked={sendWelcome}
          onChange={(event) => setSendWelcome(event.target.checked)}
          data-testid="send-welcome"
        />
        Send each new user a welcome email
      </label>
      <label htmlFor={`${ids}-note`}>Note for the approver (optional)</label>
      <textarea
        id={`${ids}-note`}
        value={approvalNote}
        maxLength={2000}
        rows={3}
        onChange={(event) => setApprovalNote(event.target.value)}
        aria-describedby={`${ids}-note-hint`}
      />
      <p id={`${ids}-note-hint`} className="hint">
        Shown to the approver when a row asks for a sensitive role.
      </p>
      {problem && <ProblemBanner problem={problem} />}
      <button type="submit" className="primary" disabled={busy} data-testid="commit">
        {busy ? 'Starting…' : 'Import users'}
      </button>
    </form>
  );
}

function RunProgress({ task, samples }: { task: ImportTask; samples: ProgressSample[] }) {
  const { done, total } = runProgress(task.counts);
  const estimate = estimateProgress(samples.length ? samples : [{ at: Date.now(), done }], total);
  return (
    <div className="run-progress" data-testid="run-progress">
      <h3>Provisioning{task.run > 1 ? ` (run ${task.run})` : ''}</h3>
      <label htmlFor="run-progress-bar">
        {estimate.done.toLocaleString()} of {total.toLocaleString()} rows ({estimate.percent}%)
      </label>
      <progress id="run-progress-bar" max={Math.max(total, 1)} value={estimate.done} />
      <p className="hint" aria-live="polite">
        {estimate.etaSeconds === 0
          ? 'Every row is done: writing the exports and the summary…'
          : estimate.rowsPerSecond !== undefined
            ? `${estimate.rowsPerSecond.toFixed(1)} rows/s · about ${formatDuration(estimate.etaSeconds ?? 0)} left`
            : 'Measuring the rate…'}
      </p>
    </div>
  );
}

function Finished({ task, onRetried }: { task: ImportTask; onRetried: () => void }) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem>();
  // Retry replays the failed rows in a new run; redrive resumes a stopped run at the step that failed.
  const restart = useCallback(
    async (how: 'retry' | 'redrive') => {
      setBusy(true);
      setProblem(undefined);
      const params = { params: { path: { taskId: task.taskId } } };
      try {
        await unwrap(
          how === 'retry'
            ? api.POST('/internal/iam/users/bulk-import/{taskId}/retry', params)
            : api.POST('/internal/iam/users/bulk-import/{taskId}/redrive', params),
        );
        onRetried();
      } catch (error) {
        setProblem(problemOf(error));
      } finally {
        setBusy(false);
      }
    },
    [task.taskId, onRetried],
  );

  return (
    <div className="finished" data-testid="finished">
      {task.status === 'AWAITING_APPROVAL' && (
        <Notice>
          {task.counts.pendingApproval.toLocaleString()} users wait for a security approver to grant their
          sensitive roles. Everything else is done.
        </Notice>
      )}
      {task.status === 'COMPLETED' && <Notice>Every valid row was imported.</Notice>}
      {task.status === 'COMPLETED_WITH_ERRORS' && (
        <Notice>
          {countOf(task.counts.failed, 'row')} failed: download {task.counts.failed === 1 ? 'it' : 'them'}, or
          retry {task.counts.failed === 1 ? 'it' : 'them'}.
        </Notice>
      )}
      <div className="actions">
        {task.successExportUrl && (
          <a className="button" href={task.successExportUrl} data-testid="success-export">
            Download created users
          </a>
        )}
        {task.failedExportUrl && (
          <a className="button" href={task.failedExportUrl} data-testid="failed-export">
            Download failed rows
          </a>
        )}
        {canRetry(task) && (
          <button
            type="button"
            className="primary"
            onClick={() => void restart('retry')}
            disabled={busy}
            data-testid="retry"
          >
            {busy ? 'Retrying…' : `Retry ${countOf(task.counts.failed, 'failed row')}`}
          </button>
        )}
      </div>
      {task.status === 'FAILED' && (
        <div className="actions">
          <button type="button" onClick={() => void restart('redrive')} disabled={busy} data-testid="redrive">
            Resume the stopped run
          </button>
          <p className="hint">Resumes at the step that failed; nothing done already is done twice.</p>
        </div>
      )}
      <Reports task={task} />
      {problem && <ProblemBanner problem={problem} />}
    </div>
  );
}
