import { useEffect, useId, useState } from 'react';
import type { components } from '../../../../clients/muster-api';
import { api, problemOf, unwrap } from '../../api/client';
import { DataTable } from '../../components/DataTable';
import { ModalDialog } from '../../components/ModalDialog';
import { Empty, Loading, ProblemBanner } from '../../components/states';
import type { ApiProblem } from '../../lib/api-error';
import {
  describeSource,
  describeStatus,
  describeValidity,
  shortDate,
  type UserEntitlement,
} from '../../lib/entitlements';

type User = components['schemas']['User'];

const COLUMNS = ['Bundle', 'Scope', 'Status', 'Validity', 'Risk', 'Source', 'Granted'];

/** A user's bundle grants with their validity, read when opened (they change as approvals land). */
export function EntitlementsDialog({ user, onClose }: { user: User; onClose: () => void }) {
  const [items, setItems] = useState<readonly UserEntitlement[]>();
  const [problem, setProblem] = useState<ApiProblem>();
  const [attempt, setAttempt] = useState(0);
  const ids = useId();

  useEffect(() => {
    void attempt;
    let current = true;
    setItems(undefined);
    setProblem(undefined);
    unwrap(api.GET('/v1/admin/users/{userId}/entitlements', { params: { path: { userId: user.userId } } }))
      .then((listing) => current && setItems(listing.items))
      .catch((error: unknown) => current && setProblem(problemOf(error)));
    return () => {
      current = false;
    };
  }, [user.userId, attempt]);

  const now = new Date();
  return (
    <ModalDialog labelledBy={`${ids}-title`} onClose={onClose} testId="entitlements-dialog">
      <div className="entitlements-view">
        <h2 id={`${ids}-title`}>Entitlements of {user.email}</h2>
        <p className="hint">
          Direct roles, which never expire: {user.roles.join(', ') || 'none'}. Bundles granted by an
          assignment or an import are below.
        </p>
        {problem && <ProblemBanner problem={problem} onRetry={() => setAttempt((value) => value + 1)} />}
        {!items && !problem && <Loading label="Loading entitlements…" />}
        {items?.length === 0 && <Empty title="No bundle has been granted to this user." />}
        {items && items.length > 0 && (
          <DataTable testId="entitlements-table" caption={`Entitlements of ${user.email}`} columns={COLUMNS}>
            {items.map((grant) => {
              const status = describeStatus(grant, now);
              return (
                <tr
                  key={grant.entitlementId}
                  data-testid="entitlement-row"
                  data-bundle={grant.bundleId}
                  data-status={grant.status}
                >
                  <td>
                    {grant.bundleName ?? <em>deleted bundle</em>}
                    <div className="small">{grant.bundleId}</div>
                  </td>
                  <td>{grant.scope}</td>
                  <td>
                    <span className={`status grant-${status.tone}`} data-testid="entitlement-status">
                      {status.label}
                    </span>
                  </td>
                  <td
                    data-testid="entitlement-validity"
                    title={`From ${grant.validFrom}${grant.validUntil ? ` until ${grant.validUntil}` : ''}`}
                  >
                    {describeValidity(grant, now)}
                  </td>
                  <td>
                    <span className={`risk risk-${grant.risk}`}>{grant.risk}</span>
                  </td>
                  <td className="small">{describeSource(grant.source)}</td>
                  <td>{shortDate(new Date(grant.grantedAt), now)}</td>
                </tr>
              );
            })}
          </DataTable>
        )}
        <div className="actions">
          <button type="button" onClick={onClose} data-testid="close-entitlements">
            Close
          </button>
        </div>
      </div>
    </ModalDialog>
  );
}
