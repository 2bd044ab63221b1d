import { type FormEvent, useEffect, useId, useState } from 'react';
import { Loading, Notice, ProblemBanner } from '../components/states';
import { type ApiProblem, toApiProblem } from '../lib/api-error';

/** The built-in roles (docs/api.md "RBAC"), for the local sign-in's picker. */
const ROLES = ['superuser', 'tenant_admin', 'security_approver', 'operator', 'workspace_owner', 'member'];

type Availability = 'checking' | 'local' | 'unavailable';

/**
 * The local stack's sign-in: pick a tenant, an email and a role, and `POST /_local/session` sets the
 * session and CSRF cookies. Offered only where the local issuer answers: a deployed console signs in
 * through the identity provider instead.
 */
export function SignInPage({ signedInAs, onSignedIn }: { signedInAs?: string; onSignedIn: () => void }) {
  const [availability, setAvailability] = useState<Availability>('checking');
  const [tenantId, setTenantId] = useState('acme');
  const [email, setEmail] = useState('admin@acme.test');
  const [role, setRole] = useState('superuser');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem>();
  const ids = useId();

  useEffect(() => {
    fetch('/_local/.well-known/openid-configuration')
      .then((response) => setAvailability(response.ok ? 'local' : 'unavailable'))
      .catch(() => setAvailability('unavailable'));
  }, []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setProblem(undefined);
    try {
      const response = await fetch('/_local/session', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ tenantId: tenantId.trim(), email: email.trim(), roles: [role] }),
      });
      if (!response.ok) {
        setProblem(toApiProblem(response.status, await response.json().catch(() => undefined)));
        return;
      }
      onSignedIn();
    } catch {
      setProblem(toApiProblem(0, undefined));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="page sign-in" id="main">
      <h1>Sign in to Muster</h1>
      {signedInAs && <Notice>Signed in as {signedInAs}. Sign in again to switch user.</Notice>}
      {availability === 'checking' && <Loading label="Looking for a sign-in method…" />}
      {availability === 'unavailable' && (
        <Notice>Sign in through your organisation's identity provider, then open the console again.</Notice>
      )}
      {availability === 'local' && (
        <form onSubmit={submit} className="card form" aria-describedby={`${ids}-hint`}>
          <p id={`${ids}-hint`} className="hint">
            Local stack only: the session is signed by the local issuer. The tenant and user are created if
            missing.
          </p>
          <label htmlFor={`${ids}-tenant`}>Tenant</label>
          <input
            id={`${ids}-tenant`}
            value={tenantId}
            onChange={(event) => setTenantId(event.target.value)}
            required
            autoComplete="organization"
          />
          <label htmlFor={`${ids}-email`}>Email</label>
          <input
            id={`${ids}-email`}
            type="email"
            value={email}
            onChange={(event) => setEmail(event.target.value)}
            required
            autoComplete="email"
          />
          <label htmlFor={`${ids}-role`}>Role</label>
          <select id={`${ids}-role`} value={role} onChange={(event) => setRole(event.target.value)}>
            {ROLES.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
          {problem && <ProblemBanner problem={problem} />}
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
      )}
    </main>
  );
}
