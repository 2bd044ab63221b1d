import { type FormEvent, useEffect, useId, useState } from 'react';
import type { components, paths } from '../../../clients/muster-api';
import { api, problemOf, unwrap } from '../api/client';
import { DataTable } from '../components/DataTable';
import { ModalDialog } from '../components/ModalDialog';
import { Empty, Loading, Notice, ProblemBanner } from '../components/states';
import type { ApiProblem } from '../lib/api-error';
import { ifMatch, NO_FILTERS, parseRoles, type UserFilters, userQuery } from '../lib/users';
import type { Me } from '../session';
import { EntitlementsDialog } from './users/EntitlementsDialog';

const USER_COLUMNS = ['Email', 'Name', 'Status', 'Roles', 'Groups', 'Actions'];

type User = components['schemas']['User'];
type Page = paths['/v1/admin/users']['get']['responses'][200]['content']['application/json'];
const PAGE_SIZE = 25;

/** Users of the tenant (seed 003 Phase B): shown only while `user_mgmt_ui` is on. */
export function UsersPage({ me }: { me: Me }) {
  const canManage = me.permissions.includes('users.manage_all') || !me.rbacEnforced;
  const [filters, setFilters] = useState<UserFilters>(NO_FILTERS);
  const [draft, setDraft] = useState<UserFilters>(NO_FILTERS);
  // Tokens of the pages before this one, so "Previous" needs no token of its own from the API.
  const [pageTokens, setPageTokens] = useState<(string | undefined)[]>([undefined]);
  const [page, setPage] = useState<Page>();
  const [problem, setProblem] = useState<ApiProblem>();
  const [attempt, setAttempt] = useState(0);
  const [notice, setNotice] = useState<string>();
  const [editing, setEditing] = useState<User>();
  const [viewing, setViewing] = useState<User>();
  const ids = useId();
  const token = pageTokens.at(-1);

  useEffect(() => {
    void attempt;
    let current = true;
    setPage(undefined);
    setProblem(undefined);
    unwrap(
      api.GET('/v1/admin/users', {
        params: {
          query: { ...userQuery(filters), limit: PAGE_SIZE, ...(token ? { nextToken: token } : {}) },
        },
      }),
    )
      .then((next) => current && setPage(next))
      .catch((error: unknown) => current && setProblem(problemOf(error)));
    return () => {
      current = false;
    };
  }, [filters, token, attempt]);

  const replace = (user: User, message: string) => {
    setPage(
      (current) =>
        current && {
          ...current,
          items: current.items.map((item) => (item.userId === user.userId ? user : item)),
        },
    );
    setNotice(message);
  };

  const applyFilters = (event: FormEvent) => {
    event.preventDefault();
    setPageTokens([undefined]);
    setFilters(draft);
  };

  const filterField = (key: keyof UserFilters, label: string) => (
    <div className="field">
      <label htmlFor={`${ids}-${key}`}>{label}</label>
      <input
        id={`${ids}-${key}`}
        value={draft[key]}
        onChange={(event) => setDraft({ ...draft, [key]: event.target.value })}
      />
    </div>
  );

  return (
    <div>
      <h1>Users</h1>
      {canManage && (
        <CreateUser
          onCreated={(user) => {
            setNotice(`Created ${user.email}.`);
            setAttempt((value) => value + 1);
          }}
        />
      )}
      <form className="filters" onSubmit={applyFilters} aria-label="Filter users">
        {filterField('q', 'Name or email starts with')}
        <div className="field">
          <label htmlFor={`${ids}-status`}>Status</label>
          <select
            id={`${ids}-status`}
            value={draft.status}
            onChange={(event) => setDraft({ ...draft, status: event.target.value as UserFilters['status'] })}
          >
            <option value="">any</option>
            <option value="ACTIVE">active</option>
            <option value="INVITED">invited</option>
            <option value="DEACTIVATED">deactivated</option>
          </select>
        </div>
        {filterField('role', 'Role')}
        {filterField('group', 'Group')}
        {filterField('department', 'Department')}
        <button type="submit">Apply</button>
      </form>
      {notice && <Notice>{notice}</Notice>}
      {problem && <ProblemBanner problem={problem} onRetry={() => setAttempt((value) => value + 1)} />}
      {!page && !problem && <Loading label="Loading users…" />}
      {page && page.items.length === 0 && (
        <Empty title="No users on this page match.">
          {page.nextToken && <p>More may follow: go to the next page.</p>}
        </Empty>
      )}
      {page && page.items.length > 0 && (
        <DataTable testId="users-table" caption="Users" columns={USER_COLUMNS}>
          {page.items.map((user) => (
            <UserRow
              key={user.userId}
              user={user}
              canManage={canManage}
              onChanged={replace}
              onEditRoles={() => setEditing(user)}
              onViewEntitlements={() => setViewing(user)}
            />
          ))}
        </DataTable>
      )}
      <div className="actions pager">
        <button
          type="button"
          disabled={pageTokens.length < 2}
          onClick={() => setPageTokens((tokens) => tokens.slice(0, -1))}
        >
          Previous page
        </button>
        <button
          type="button"
          disabled={!page?.nextToken}
          onClick={() => page?.nextToken && setPageTokens((tokens) => [...tokens, page.nextToken])}
        >
          Next page
        </button>
      </div>
      {viewing && <EntitlementsDialog user={viewing} onClose={() => setViewing(undefined)} />}
      {editing && (
        <RolesDialog
          user={editing}
          onClose={() => setEditing(undefined)}
          onSaved={(user) => {
            setEditing(undefined);
            replace(user, `Roles of ${user.email}: ${user.roles.join(', ') || 'none'}.`);
          }}
        />
      )}
    </div>
  );
}

function UserRow({
  user,
  canManage,
  onChanged,
  onEditRoles,
  onViewEntitlements,
}: {
  user: User;
  canManage: boolean;
  onChanged: (user: User, message: string) => void;
  onEditRoles: () => void;
  onViewEntitlements: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem>();
  const deactivated = user.status === 'DEACTIVATED';
  const toggle = async () => {
    setBusy(true);
    setProblem(undefined);
    try {
      const params = { params: { path: { userId: user.userId } } };
      const next = await unwrap(
        deactivated
          ? api.POST('/v1/admin/users/{userId}/reactivate', params)
          : api.POST('/v1/admin/users/{userId}/deactivate', params),
      );
      onChanged(next, `${next.email} is ${next.status.toLowerCase()}.`);
    } catch (error) {
      setProblem(problemOf(error));
    } finally {
      setBusy(false);
    }
  };
  const name = [user.givenName, user.familyName].filter(Boolean).join(' ') || user.displayName || '—';
  return (
    <tr data-testid="user-row" data-email={user.email}>
      <td>{user.email}</td>
      <td>{name}</td>
      <td>
        <span className={`status status-${user.status.toLowerCase()}`} data-testid="user-status">
          {user.status.toLowerCase()}
        </span>
      </td>
      <td>{user.roles.join(', ') || '—'}</td>
      <td>{user.groups.join(', ') || '—'}</td>
      <td className="row-actions">
        <button
          type="button"
          onClick={onViewEntitlements}
          aria-label={`Entitlements of ${user.email}`}
          data-testid="view-entitlements"
        >
          Entitlements…
        </button>
        {canManage && (
          <>
            <button type="button" onClick={onEditRoles} aria-label={`Change roles of ${user.email}`}>
              Roles…
            </button>
            <button
              type="button"
              className={deactivated ? undefined : 'danger'}
              disabled={busy}
              onClick={() => void toggle()}
              aria-label={`${deactivated ? 'Reactivate' : 'Deactivate'} ${user.email}`}
              data-testid={deactivated ? 'reactivate' : 'deactivate'}
            >
              {deactivated ? 'Reactivate' : 'Deactivate'}
            </button>
            {problem && <ProblemBanner problem={problem} />}
          </>
        )}
      </td>
    </tr>
  );
}

function CreateUser({ onCreated }: { onCreated: (user: User) => void }) {
  const [email, setEmail] = useState('');
  const [givenName, setGivenName] = useState('');
  const [familyName, setFamilyName] = useState('');
  const [roles, setRoles] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem>();
  const ids = useId();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setProblem(undefined);
    try {
      const user = await unwrap(
        api.POST('/v1/admin/users', {
          body: {
            email: email.trim(),
            roles: parseRoles(roles),
            ...(givenName.trim() ? { givenName: givenName.trim() } : {}),
            ...(familyName.trim() ? { familyName: familyName.trim() } : {}),
          },
        }),
      );
      setEmail('');
      setGivenName('');
      setFamilyName('');
      setRoles('');
      onCreated(user);
    } catch (error) {
      setProblem(problemOf(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <details className="card">
      <summary>Create a user</summary>
      <form className="form inline-form" onSubmit={submit} aria-label="Create a user">
        <div className="field">
          <label htmlFor={`${ids}-email`}>Email</label>
          <input
            id={`${ids}-email`}
            type="email"
            required
            value={email}
            onChange={(event) => setEmail(event.target.value)}
            data-testid="new-user-email"
          />
        </div>
        <div className="field">
          <label htmlFor={`${ids}-given`}>Given name</label>
          <input
            id={`${ids}-given`}
            value={givenName}
            onChange={(event) => setGivenName(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${ids}-family`}>Family name</label>
          <input
            id={`${ids}-family`}
            value={familyName}
            onChange={(event) => setFamilyName(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${ids}-roles`}>Roles (comma-separated)</label>
          <input
            id={`${ids}-roles`}
            value={roles}
            onChange={(event) => setRoles(event.target.value)}
            placeholder="member"
          />
        </div>
        {problem && <ProblemBanner problem={problem} />}
        <button type="submit" className="primary" disabled={busy} data-testid="create-user">
          {busy ? 'Creating…' : 'Create user'}
        </button>
      </form>
    </details>
  );
}

/** The role assignment modal. */
function RolesDialog({
  user,
  onClose,
  onSaved,
}: {
  user: User;
  onClose: () => void;
  onSaved: (user: User) => void;
}) {
  const [roles, setRoles] = useState(user.roles.join(', '));
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem>();
  const ids = useId();

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setProblem(undefined);
    try {
      const next = await unwrap(
        api.PUT('/v1/admin/users/{userId}/roles', {
          params: { path: { userId: user.userId }, header: { 'If-Match': ifMatch(user.version) } },
          body: { roles: parseRoles(roles) },
        }),
      );
      onSaved(next);
    } catch (error) {
      setProblem(problemOf(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <ModalDialog labelledBy={`${ids}-title`} onClose={onClose} testId="roles-dialog">
      <form className="form" onSubmit={save}>
        <h2 id={`${ids}-title`}>Roles of {user.email}</h2>
        <label htmlFor={`${ids}-roles`}>Direct roles (comma-separated; empty removes them all)</label>
        <input id={`${ids}-roles`} value={roles} onChange={(event) => setRoles(event.target.value)} />
        <p className="hint">
          Roles held through groups ({user.groups.join(', ') || 'none'}) are not changed here.
        </p>
        {problem && (
          <ProblemBanner
            problem={
              problem.code === 'VERSION_MISMATCH'
                ? {
                    ...problem,
                    message: 'Someone changed this user meanwhile: close, refresh the list and try again.',
                  }
                : problem
            }
          />
        )}
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            Save roles
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </ModalDialog>
  );
}
