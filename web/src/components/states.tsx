import type { ReactNode } from 'react';
import { type ApiProblem, describeProblem } from '../lib/api-error';

/** An error the page could not get past: what happened, the reference to quote, and a way to try again. */
export function ProblemBanner({ problem, onRetry }: { problem: ApiProblem | string; onRetry?: () => void }) {
  const text = typeof problem === 'string' ? problem : describeProblem(problem);
  // A detail repeating the message (a single-field error) says nothing more.
  const details =
    typeof problem === 'string' ? [] : problem.details.filter((detail) => detail.message !== problem.message);
  return (
    <div className="banner banner-error" role="alert" data-testid="problem">
      <p>{text}</p>
      {details.length > 0 && (
        <ul>
          {details.map((detail) => (
            <li key={`${detail.path ?? ''}:${detail.message}`}>
              {detail.path ? <code>{detail.path}</code> : null} {detail.message}
            </li>
          ))}
        </ul>
      )}
      {onRetry && (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Loading({ label }: { label: string }) {
  return (
    <p className="loading" role="status" aria-live="polite" data-testid="loading">
      <span className="spinner" aria-hidden="true" />
      {label}
    </p>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty" data-testid="empty">
      <p className="empty-title">{title}</p>
      {children}
    </div>
  );
}

export function Notice({ children }: { children: ReactNode }) {
  return (
    <div className="banner banner-info" role="status">
      {children}
    </div>
  );
}
