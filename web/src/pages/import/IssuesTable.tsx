import { type FormEvent, useId, useMemo, useRef, useState } from 'react';
import { DataTable } from '../../components/DataTable';
import { Empty } from '../../components/states';
import {
  filterIssues,
  firstIssueAtOrAfter,
  type ImportIssue,
  type ImportIssueCode,
  issueCodeCounts,
} from '../../lib/import-task';

/** The validation issues inline: filter by code, jump to a row; the full list is the report download. */
export function IssuesTable({ issues, truncated }: { issues: readonly ImportIssue[]; truncated: boolean }) {
  const [codes, setCodes] = useState<ReadonlySet<ImportIssueCode>>(new Set());
  const [jumpTo, setJumpTo] = useState('');
  const [jumpMessage, setJumpMessage] = useState('');
  const [highlighted, setHighlighted] = useState<number>();
  const rows = useRef<(HTMLTableRowElement | null)[]>([]);
  const ids = useId();
  const codeCounts = useMemo(() => issueCodeCounts(issues), [issues]);
  const shown = useMemo(() => filterIssues(issues, codes), [issues, codes]);

  const toggle = (code: ImportIssueCode) =>
    setCodes((current) => {
      const next = new Set(current);
      if (next.has(code)) next.delete(code);
      else next.add(code);
      return next;
    });

  const jump = (event: FormEvent) => {
    event.preventDefault();
    const row = Number(jumpTo);
    const index = Number.isInteger(row) && row > 0 ? firstIssueAtOrAfter(shown, row) : -1;
    if (index < 0) {
      setJumpMessage(`No issue on row ${jumpTo} or after it${codes.size ? ' with the chosen codes' : ''}.`);
      return;
    }
    const found = shown[index];
    setJumpMessage(found?.row === row ? '' : `Row ${row} has no issue; showing row ${found?.row}.`);
    setHighlighted(index);
    const element = rows.current[index];
    element?.scrollIntoView({ block: 'center' });
    element?.focus();
  };

  if (issues.length === 0) return <Empty title="No issues: every row is valid." />;

  return (
    <div className="issues">
      <fieldset className="code-filter">
        <legend>Filter by code</legend>
        {codeCounts.map(({ code, count }) => (
          <label key={code} className="chip">
            <input
              type="checkbox"
              checked={codes.has(code)}
              onChange={() => toggle(code)}
              data-testid={`filter-${code}`}
            />
            {code} <span className="count">{count}</span>
          </label>
        ))}
        {codes.size > 0 && (
          <button type="button" className="link" onClick={() => setCodes(new Set())}>
            Show all
          </button>
        )}
      </fieldset>
      <form className="jump" onSubmit={jump}>
        <label htmlFor={`${ids}-row`}>Jump to row</label>
        <input
          id={`${ids}-row`}
          type="number"
          min={1}
          inputMode="numeric"
          value={jumpTo}
          onChange={(event) => setJumpTo(event.target.value)}
          data-testid="jump-row"
        />
        <button type="submit">Go</button>
        <span role="status" aria-live="polite" className="hint">
          {jumpMessage}
        </span>
      </form>
      <DataTable
        testId="issues-table"
        caption="Validation issues"
        columns={['Row', 'Column', 'Code', 'Message', 'Suggestion']}
      >
        {shown.map((issue, index) => (
          <tr
            key={`${issue.row}:${issue.column}:${issue.code}:${issue.message}`}
            ref={(element) => {
              rows.current[index] = element;
            }}
            tabIndex={-1}
            className={`${issue.severity === 'warning' ? 'warning' : ''}${index === highlighted ? ' highlighted' : ''}`}
            data-testid="issue-row"
            data-row={issue.row ?? 'file'}
          >
            <td>{issue.row ?? 'file'}</td>
            <td>{issue.column ?? '—'}</td>
            <td>
              <code>{issue.code}</code>
              {issue.severity === 'warning' && <span className="tag">warning</span>}
            </td>
            <td>{issue.message}</td>
            <td>{issue.suggestion || '—'}</td>
          </tr>
        ))}
      </DataTable>
      {truncated && (
        <p className="hint">Only the first {issues.length} issues are shown: download the report for all.</p>
      )}
    </div>
  );
}
