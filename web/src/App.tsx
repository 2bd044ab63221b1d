import { type MouseEvent, useCallback, useEffect, useRef, useState } from 'react';
import { Loading, ProblemBanner } from './components/states';
import { taskSearchOf } from './lib/imports';
import { offers, type PageNeeds } from './lib/navigation';
import { type Page, pageOf, pathOf } from './lib/routes';
import { ApprovalsPage } from './pages/ApprovalsPage';
import { AuditPage } from './pages/AuditPage';
import { ImportsPage } from './pages/ImportsPage';
import { ImportWizard } from './pages/ImportWizard';
import { SignInPage } from './pages/SignInPage';
import { UsersPage } from './pages/UsersPage';
import { useSession } from './session';

const BASE = import.meta.env.BASE_URL;

type Navigate = (page: Page, search?: string) => void;

/**
 * The page in the address. `navigate` may carry a query string (`?task=` for the wizard);
 * `redirect` replaces the address instead of adding to the history.
 */
function useLocationPage(): [Page, Navigate, Navigate] {
  const [page, setPage] = useState<Page>(() => pageOf(window.location.pathname, BASE));
  useEffect(() => {
    const onPop = () => setPage(pageOf(window.location.pathname, BASE));
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const navigate = useCallback<Navigate>((next, search = '') => {
    window.history.pushState(null, '', `${pathOf(next, BASE)}${search}`);
    setPage(next);
  }, []);
  const redirect = useCallback<Navigate>((next, search = '') => {
    window.history.replaceState(null, '', `${pathOf(next, BASE)}${search}`);
    setPage(next);
  }, []);
  return [page, navigate, redirect];
}

interface NavEntry {
  readonly page: Page;
  readonly label: string;
  readonly needs: PageNeeds;
}

/** The inbox needs nothing (it lists what the caller may decide): every caller is offered it. */
const INBOX: NavEntry = { page: 'approvals', label: 'Approvals', needs: {} };

const NAV: readonly NavEntry[] = [
  {
    page: 'import',
    label: 'Import users',
    needs: { flags: ['user-bulk-import'], permission: 'users.import' },
  },
  { page: 'imports', label: 'Imports', needs: { flags: ['user-bulk-import'], permission: 'users.import' } },
  // Phase B of seed 003: the management UI shows only while user_mgmt_ui is on (reported by /v1/me),
  // and the routes it calls exist only while user_mgmt_core is.
  {
    page: 'users',
    label: 'Users',
    needs: { flags: ['user_mgmt_ui', 'user_mgmt_core'], permission: 'users.read' },
  },
  INBOX,
  { page: 'audit', label: 'Audit', needs: { flags: ['user_mgmt_core'], permission: 'audit.read' } },
];

export function App() {
  const { session, reload } = useSession();
  const [page, navigate, redirect] = useLocationPage();
  const main = useRef<HTMLElement>(null);
  const links = session.kind === 'signed-in' ? NAV.filter((item) => offers(session.me, item.needs)) : [];
  // A page the caller may not open (a bookmark, the wizard after sign-in) gives way to the first
  // one they may, under its own address.
  const shown = links.some((item) => item.page === page) ? page : (links[0] ?? INBOX).page;
  useEffect(() => {
    if (session.kind === 'signed-in' && page !== 'sign-in' && shown !== page) redirect(shown);
  }, [session.kind, page, shown, redirect]);

  // Moving between pages puts keyboard focus on the new page's content, as a page load would.
  useEffect(() => {
    void page;
    main.current?.focus();
  }, [page]);

  if (session.kind === 'loading') return <Loading label="Loading the console…" />;
  if (session.kind === 'error') {
    return (
      <main className="page">
        <ProblemBanner problem={session.problem} onRetry={reload} />
      </main>
    );
  }
  if (session.kind === 'signed-out' || page === 'sign-in') {
    return (
      <SignInPage
        signedInAs={session.kind === 'signed-in' ? session.me.user.email : undefined}
        onSignedIn={() => {
          // Signed in from the sign-in page itself: the wizard; from a deep link: that page.
          if (page === 'sign-in') navigate('import');
          reload();
        }}
      />
    );
  }

  const { me } = session;
  const follow = (event: MouseEvent<HTMLAnchorElement>, target: Page) => {
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    navigate(target);
  };

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top-bar">
        <span className="brand">Muster</span>
        <nav aria-label="Console">
          <ul>
            {links.map((item) => (
              <li key={item.page}>
                <a
                  href={pathOf(item.page, BASE)}
                  aria-current={item.page === shown ? 'page' : undefined}
                  onClick={(event) => follow(event, item.page)}
                >
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span className="who" data-testid="signed-in-as">
          {me.user.email} · {me.tenant.tenantId} · {me.currentRole ?? 'no role'}
        </span>
        <a href={pathOf('sign-in', BASE)} onClick={(event) => follow(event, 'sign-in')}>
          Switch user
        </a>
      </header>
      <main id="main" className="page" ref={main} tabIndex={-1}>
        {shown === 'import' && <ImportWizard />}
        {shown === 'imports' && (
          <ImportsPage
            taskAddress={(taskId) => `${pathOf('import', BASE)}${taskSearchOf(taskId)}`}
            onOpen={(taskId) => navigate('import', taskSearchOf(taskId))}
          />
        )}
        {shown === 'users' && <UsersPage me={me} />}
        {shown === 'approvals' && <ApprovalsPage />}
        {shown === 'audit' && <AuditPage />}
      </main>
    </>
  );
}
