import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { api, problemOf, unwrap } from '../api/client';
import { Empty, Loading, ProblemBanner } from '../components/states';
import type { ApiProblem } from '../lib/api-error';
import {
  type Approval,
  describeSubject,
  findingsHeading,
  findingTarget,
  justificationProblem,
  MAX_JUSTIFICATION_LENGTH,
} from '../lib/approvals';

type Status = Approval['status'];
const STATUSES: Status[] = ['PENDING', 'APPROVED', 'REJECTED', 'EXPIRED'];

/** The approvals the caller may decide (the route lists only those), pending first. */
export function ApprovalsPage() {
  const [status, setStatus] = useState<Status>('PENDING');
  const [items, setItems] = useState<Approval[]>();
  const [nextToken, setNextToken] = useState<string>();
  const [problem, setProblem] = useState<ApiProblem>();
  const [attempt, setAttempt] = useState(0);
  const [decided, setDecided] = useState<string>();
  // Always rendered, so a screen reader announces each outcome; takes focus from the decided card,
  // which leaves the list, and Tab goes on from there to the next card.
  const announcement = useRef<HTMLDivElement>(null);
  const ids = useId();

  const load = async (token: string | undefined, append: boolean) => {
    setProblem(undefined);
    try {
      const page = await unwrap(
        api.GET('/internal/approvals', {
          params: { query: { status, limit: 25, ...(token ? { nextToken: token } : {}) } },
        }),
      );
      setItems((earlier) => (append ? [...(earlier ?? []), ...page.items] : page.items));
      setNextToken(page.nextToken);
    } catch (error) {
      setProblem(problemOf(error));
    }
  };

  // biome-ignore lint/correctness/useExhaustiveDependencies: reloads when the status or a retry changes.
  useEffect(() => {
    setItems(undefined);
    void load(undefined, false);
  }, [status, attempt]);

  return (
    <div>
      <h1>Approvals</h1>
      <div className="toolbar">
        <label htmlFor={`${ids}-status`}>Status</label>
        <select
          id={`${ids}-status`}
          value={status}
          onChange={(event) => setStatus(event.target.value as Status)}
        >
          {STATUSES.map((value) => (
            <option key={value} value={value}>
              {value.toLowerCase()}
            </option>
          ))}
        </select>
        <button type="button" onClick={() => setAttempt((value) => value + 1)}>
          Refresh
        </button>
      </div>
      <div ref={announcement} role="status" tabIndex={-1} data-testid="decision-outcome">
        {decided && <div className="banner banner-info">{decided}</div>}
      </div>
      {problem && <ProblemBanner problem={problem} onRetry={() => setAttempt((value) => value + 1)} />}
      {!items && !problem && <Loading label="Loading approvals…" />}
      {items && items.length === 0 && !nextToken && (
        <Empty
          title={
            status === 'PENDING'
              ? 'Nothing waits for your decision.'
              : `No ${status.toLowerCase()} approvals.`
          }
        />
      )}
      {items && items.length > 0 && (
        <ul className="approval-list">
          {items.map((approval) => (
            <ApprovalCard
              key={approval.approvalId}
              approval={approval}
              onDecided={(outcome) => {
                setDecided(`${describeSubject(approval.subject)}: ${outcome}.`);
                setItems((current) => current?.filter((item) => item.approvalId !== approval.approvalId));
                announcement.current?.focus();
              }}
            />
          ))}
        </ul>
      )}
      {nextToken && (
        <button type="button" onClick={() => void load(nextToken, true)}>
          Load more
        </button>
      )}
    </div>
  );
}

function ApprovalCard({ approval, onDecided }: { approval: Approval; onDecided: (outcome: string) => void }) {
  const [justification, setJustification] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | string>();
  const ids = useId();
  const pending = approval.status === 'PENDING';

  const decide = async (decision: 'APPROVE' | 'REJECT', event?: FormEvent) => {
    event?.preventDefault();
    const refusal = justificationProblem(approval.risk, justification);
    if (refusal) {
      setProblem(refusal);
      return;
    }
    setBusy(true);
    setProblem(undefined);
    try {
      await unwrap(
        api.POST('/internal/approvals/{approvalId}/decision', {
          params: { path: { approvalId: approval.approvalId } },
          body: { decision, ...(justification.trim() ? { justification: justification.trim() } : {}) },
        }),
      );
      onDecided(decision === 'APPROVE' ? 'approved' : 'rejected');
    } catch (error) {
      setProblem(problemOf(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <li
      className="card approval"
      data-testid="approval"
      data-approval-id={approval.approvalId}
      aria-labelledby={`${ids}-title`}
    >
      <h2 id={`${ids}-title`}>
        {approval.summary} <span className={`risk risk-${approval.risk}`}>{approval.risk} risk</span>
      </h2>
      <dl className="facts">
        <div>
          <dt>Subject</dt>
          <dd>
            {approval.subject.type === 'bulk_import' ? (
              <a href={`${import.meta.env.BASE_URL}?task=${encodeURIComponent(approval.subject.taskId)}`}>
                {describeSubject(approval.subject)}
              </a>
            ) : (
              describeSubject(approval.subject)
            )}
          </dd>
        </div>
        <div>
          <dt>Grants</dt>
          <dd>{approval.grants}</dd>
        </div>
        <div>
          <dt>Requested by</dt>
          <dd>{approval.requestedBy}</dd>
        </div>
        <div>
          <dt>Approver role</dt>
          <dd>{approval.approverRole}</dd>
        </div>
        <div>
          <dt>{pending ? 'Due' : 'Decided'}</dt>
          <dd>
            {new Date(
              pending ? approval.slaDueAt : (approval.decision?.decidedAt ?? approval.expiresAt),
            ).toLocaleString()}
          </dd>
        </div>
      </dl>
      {approval.note && (
        <figure className="note" data-testid="approval-note">
          <figcaption>Note from the requester</figcaption>
          <blockquote>{approval.note}</blockquote>
        </figure>
      )}
      <section className="findings" aria-labelledby={`${ids}-findings`} data-testid="approval-findings">
        <h3 id={`${ids}-findings`}>{findingsHeading(approval)}</h3>
        {approval.findings.length > 0 && (
          <ul className="finding-list">
            {approval.findings.map((finding, index) => (
              <li
                // biome-ignore lint/suspicious/noArrayIndexKey: findings repeat their code and target; their order is stable.
                key={index}
                data-testid="approval-finding"
                data-code={finding.code}
              >
                <span className={`tag severity-${finding.severity}`}>{finding.code}</span>{' '}
                <strong>{findingTarget(finding)}</strong>: {finding.message}{' '}
                <span className="finding-suggestion">{finding.suggestion}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
      {approval.decision?.justification && (
        <figure className="note">
          <figcaption>
            Decision {approval.decision.decidedBy ? `by ${approval.decision.decidedBy}` : ''}
          </figcaption>
          <blockquote>{approval.decision.justification}</blockquote>
        </figure>
      )}
      {pending && (
        <form className="form" onSubmit={(event) => void decide('APPROVE', event)}>
          <label htmlFor={`${ids}-justification`}>
            Justification{approval.risk === 'high' ? ' (required for high risk)' : ' (optional)'}
          </label>
          <textarea
            id={`${ids}-justification`}
            value={justification}
            maxLength={MAX_JUSTIFICATION_LENGTH}
            rows={2}
            required={approval.risk === 'high'}
            onChange={(event) => setJustification(event.target.value)}
            data-testid="justification"
          />
          {problem && <ProblemBanner problem={problem} />}
          <div className="actions">
            <button type="submit" className="primary" disabled={busy} data-testid="approve">
              Approve
            </button>
            <button
              type="button"
              className="danger"
              disabled={busy}
              onClick={() => void decide('REJECT')}
              data-testid="reject"
            >
              Reject
            </button>
          </div>
        </form>
      )}
    </li>
  );
}
