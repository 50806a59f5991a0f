import { useApolloClient } from '@apollo/client/react';
import { useEffect, useState, type ComponentType, type ReactNode } from 'react';
import { Link, navigate, useLocation } from '@storefront/lib/router';
import { isStaff, pageOf, pagesFor, roleLabel, type Page, type StaffClaims } from './lib/access';
import { useBackOffice, useClaims, useConnection, useSession } from './lib/services';
import OrdersSection from './pages/Orders';
import { RefundRequestsPage } from './pages/RefundRequests';
import { AcceptInvitationPage } from './pages/AcceptInvitation';
import { ActivityPage } from './pages/Activity';
import { CustomersPage } from './pages/Customers';
import { ProductsPage } from './pages/Products';
import { SignInPage } from './pages/SignIn';
import { StaffPage } from './pages/Staff';

/** The screen of each page built so far, by the page's path; it gets the whole path it is on
 * (its own sub-pages: the Orders entry serves `/orders/<id>` too). */
const SCREENS: Partial<Record<string, ComponentType<{ path: string }>>> = {
  '/orders': OrdersSection,
  '/refund-requests': RefundRequestsPage,
  '/customers': CustomersPage,
  '/products': ProductsPage,
  '/staff': StaffPage,
  '/activity': ActivityPage,
};

/** Where a refused (customer) token ends: signed out, on the sign-in page with the reason. */
export const REFUSED_PATH = '/sign-in?refused=customer';

function Header({ claims }: { claims: StaffClaims | null | undefined }) {
  const { session } = useBackOffice();
  const { signedIn, user } = useSession();
  const client = useApolloClient();
  const location = useLocation();
  const pages = claims ? pagesFor(claims.scopes) : [];
  const signOut = async () => {
    await session.signOut();
    await client.clearStore();
    navigate('/sign-in');
  };
  return (
    <header className="site-header">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <Link href="/" className="brand">
        Commerce back office
      </Link>
      {signedIn && isStaff(claims ?? null) ? (
        <>
          <nav aria-label="Main">
            <ul>
              {pages.map((page) => (
                <li key={page.path}>
                  <Link href={page.path} aria-current={pageOf(location.pathname) === page ? 'page' : undefined}>
                    {page.label}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
          <p className="who">
            <span className="who-name">{user?.name ?? 'Signed in'}</span>{' '}
            <span className="role-badge">{roleLabel(claims ?? null)}</span>
          </p>
          <button type="button" className="link-button" onClick={signOut}>
            Sign out
          </button>
        </>
      ) : null}
    </header>
  );
}

/** A gateway that cannot be reached: a banner with "Try again" (queries are retried first). */
function GatewayBanner() {
  const { gatewayDown, lastCorrelationId } = useConnection();
  const client = useApolloClient();
  const [trying, setTrying] = useState(false);
  if (!gatewayDown) return null;
  return (
    <div className="banner" role="alert">
      <p>
        The gateway cannot be reached right now.
        {lastCorrelationId ? <span className="support"> Support code: {lastCorrelationId}</span> : null}
      </p>
      <button
        type="button"
        disabled={trying}
        onClick={() => {
          setTrying(true);
          client
            .refetchObservableQueries()
            .catch(() => undefined)
            .finally(() => setTrying(false));
        }}
      >
        {trying ? 'Trying…' : 'Try again'}
      </button>
    </div>
  );
}

/**
 * Signed-in staff only: without a session, to sign-in and back; a token without any staff scope
 * (a customer's) is signed out and sent to sign-in with the reason.
 */
function RequireStaff({ claims, children }: { claims: StaffClaims | null | undefined; children: ReactNode }) {
  const { session } = useBackOffice();
  const { signedIn } = useSession();
  const location = useLocation();
  const refused = claims !== undefined && claims !== null && !isStaff(claims);
  useEffect(() => {
    if (!signedIn) {
      navigate(`/sign-in?next=${encodeURIComponent(location.pathname + location.search)}`, { replace: true });
    } else if (refused) {
      session.signOut().finally(() => navigate(REFUSED_PATH, { replace: true }));
    }
  }, [signedIn, refused, session, location.pathname, location.search]);
  if (!signedIn || refused) return null;
  if (claims === undefined) return <p aria-busy="true">Loading…</p>;
  return <>{children}</>;
}

function Home({ pages }: { pages: Page[] }) {
  return (
    <>
      <h1>Back office</h1>
      <p>Choose what to work on:</p>
      <ul className="home-pages">
        {pages.map((page) => (
          <li key={page.path}>
            <Link href={page.path}>{page.label}</Link>
          </li>
        ))}
      </ul>
    </>
  );
}

/** A page of the table whose screen comes with its API (see README.md, "Pages"). */
function NotBuiltYet({ page }: { page: Page }) {
  return (
    <>
      <h1>{page.label}</h1>
      <p>This page is not built yet.</p>
    </>
  );
}

function NotAllowed({ page }: { page: Page }) {
  return (
    <>
      <h1>{page.label}</h1>
      <p role="alert">Your role cannot use this page.</p>
    </>
  );
}

function NotFound() {
  return (
    <>
      <h1>Page not found</h1>
      <p>
        <Link href="/">Back to the start</Link>
      </p>
    </>
  );
}

function route(path: string, claims: StaffClaims | null | undefined): ReactNode {
  if (path === '/sign-in') return <SignInPage />;
  if (path === '/accept-invitation') return <AcceptInvitationPage />;
  const scopes = claims?.scopes ?? new Set<string>();
  if (path === '/') return <RequireStaff claims={claims}><Home pages={pagesFor(scopes)} /></RequireStaff>;
  const page = pageOf(path);
  if (!page) return <NotFound />;
  const Screen = SCREENS[page.path];
  return (
    <RequireStaff claims={claims}>
      {!scopes.has(page.scope) ? <NotAllowed page={page} /> : Screen ? <Screen path={path} /> : <NotBuiltYet page={page} />}
    </RequireStaff>
  );
}

export function App() {
  const location = useLocation();
  const claims = useClaims();
  const { lastCorrelationId } = useConnection();
  return (
    <>
      <Header claims={claims} />
      <GatewayBanner />
      <main id="main" className="page wide" tabIndex={-1}>
        {route(location.pathname, claims)}
      </main>
      <footer className="site-footer">
        <p>Every action here is recorded with your name.</p>
        {lastCorrelationId ? <p className="support">Support code of the last request: {lastCorrelationId}</p> : null}
      </footer>
    </>
  );
}
