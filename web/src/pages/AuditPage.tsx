import { type FormEvent, useEffect, useId, useState } from 'react';
import type { components } from '../../../clients/muster-api';
import { api, problemOf, unwrap } from '../api/client';
import { DataTable } from '../components/DataTable';
import { Empty, Loading, ProblemBanner } from '../components/states';
import type { ApiProblem } from '../lib/api-error';
import { type AuditFilters, auditQuery, describeChange, NO_AUDIT_FILTERS } from '../lib/audit';

type AuditEntry = components['schemas']['AuditEntry'];

const toInstant = (local: string) => new Date(local).toISOString();

/** The tenant's audit trail, newest first; pages follow `nextToken` (a page may be short, even empty). */
export function AuditPage() {
  const [filters, setFilters] = useState<AuditFilters>(NO_AUDIT_FILTERS);
  const [draft, setDraft] = useState<AuditFilters>(NO_AUDIT_FILTERS);
  const [entries, setEntries] = useState<AuditEntry[]>();
  const [nextToken, setNextToken] = useState<string>();
  const [problem, setProblem] = useState<ApiProblem>();
  const [attempt, setAttempt] = useState(0);
  const ids = useId();

  const load = async (token: string | undefined) => {
    setProblem(undefined);
    try {
      const page = await unwrap(
        api.GET('/v1/admin/audit', {
          params: {
            query: { ...auditQuery(filters, toInstant), limit: 50, ...(token ? { nextToken: token } : {}) },
          },
        }),
      );
      setEntries((earlier) => (token ? [...(earlier ?? []), ...page.items] : page.items));
      setNextToken(page.nextToken);
    } catch (error) {
      setProblem(problemOf(error));
    }
  };

  // biome-ignore lint/correctness/useExhaustiveDependencies: reloads when the filters or a retry change.
  useEffect(() => {
    setEntries(undefined);
    void load(undefined);
  }, [filters, attempt]);

  const apply = (event: FormEvent) => {
    event.preventDefault();
    setFilters(draft);
  };
  const field = (key: keyof AuditFilters, label: string, type = 'text', placeholder?: string) => (
    <div className="field">
      <label htmlFor={`${ids}-${key}`}>{label}</label>
      <input
        id={`${ids}-${key}`}
        type={type}
        value={draft[key]}
        placeholder={placeholder}
        onChange={(event) => setDraft({ ...draft, [key]: event.target.value })}
      />
    </div>
  );

  return (
    <div>
      <h1>Audit</h1>
      <form className="filters" onSubmit={apply} aria-label="Filter the audit trail">
        {field('targetId', 'Target', 'text', 'user:<userId>')}
        {field('actorId', 'Actor', 'text', 'userId or system:<component>')}
        {field('type', 'Event type starts with', 'text', 'iam.user.')}
        {field('from', 'From', 'datetime-local')}
        {field('to', 'Until', 'datetime-local')}
        <button type="submit">Apply</button>
      </form>
      <p className="hint">
        Without a target or actor, the trail covers at most 31 days (the last 7 by default).
      </p>
      {problem && <ProblemBanner problem={problem} onRetry={() => setAttempt((value) => value + 1)} />}
      {!entries && !problem && <Loading label="Loading the audit trail…" />}
      {entries && entries.length === 0 && !nextToken && <Empty title="No audit entries match." />}
      {entries && entries.length > 0 && (
        <DataTable
          testId="audit-table"
          caption="Audit entries"
          columns={['When', 'Event', 'Actor', 'Target', 'Change', 'Request']}
        >
          {entries.map((entry) => (
            <tr key={entry.eventId}>
              <td>{new Date(entry.occurredAt).toLocaleString()}</td>
              <td>
                <code>{entry.type}</code>
              </td>
              <td>{entry.actor.type === 'user' ? entry.actor.userId : `system:${entry.actor.component}`}</td>
              <td>{entry.targetId ?? '—'}</td>
              <td>{describeChange(entry.change) || '—'}</td>
              <td>
                <code className="small">{entry.correlationId}</code>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {nextToken && (
        <button type="button" onClick={() => void load(nextToken)}>
          Load older entries
        </button>
      )}
    </div>
  );
}
