import { useApolloClient } from '@apollo/client/react';
import { lazy, Suspense, useEffect, useState, type ReactNode } from 'react';
import { itemCount } from './lib/cart';
import { Link, navigate, useLocation } from './lib/router';
import { useCart, useConnection, useSession, useShop } from './lib/shop';
import { CartPage } from './pages/Cart';
import { ForgotPasswordPage, ResetPasswordPage } from './pages/PasswordReset';
import { ProductPage } from './pages/Product';
import { ProductsPage, ProductsQuery } from './pages/Products';
import { SignInPage, SignUpPage } from './pages/Account';
import { VerifyEmailNotice, VerifyEmailPage } from './pages/VerifyEmail';

// The signed-in pages are split from the first load: a visitor browsing products never
// downloads them.
const OrderPage = lazy(() => import('./pages/Order'));
const OrdersPage = lazy(() => import('./pages/Orders'));
const NotificationsPage = lazy(() => import('./pages/Notifications'));
const ProfilePage = lazy(() => import('./pages/Profile'));

function GatewayBanner() {
  const { gatewayDown, lastCorrelationId } = useConnection();
  const client = useApolloClient();
  const [trying, setTrying] = useState(false);
  if (!gatewayDown) return null;
  const retry = async () => {
    setTrying(true);
    try {
      await client.query({ query: ProductsQuery, fetchPolicy: 'network-only' });
      await client.refetchObservableQueries();
    } catch {
      // still down: the banner stays
    } finally {
      setTrying(false);
    }
  };
  return (
    <div className="banner" role="alert">
      <p>
        The shop cannot be reached right now. Your cart is kept.
        {lastCorrelationId ? <span className="support"> Support code: {lastCorrelationId}</span> : null}
      </p>
      <button type="button" onClick={retry} disabled={trying}>
        {trying ? 'Trying…' : 'Try again'}
      </button>
    </div>
  );
}

function Header() {
  const { signedIn, user } = useSession();
  const { session } = useShop();
  const count = itemCount(useCart());
  const client = useApolloClient();
  const signOut = async () => {
    await session.signOut();
    await client.clearStore();
    navigate('/');
  };
  return (
    <header className="site-header">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <Link href="/" className="brand">
        Commerce
      </Link>
      <nav aria-label="Main">
        <ul>
          <li>
            <Link href="/">Products</Link>
          </li>
          <li>
            <Link href="/cart" aria-label={`Cart, ${count} item${count === 1 ? '' : 's'}`}>
              Cart <span className="badge" aria-hidden="true">{count}</span>
            </Link>
          </li>
          {signedIn ? (
            <>
              <li>
                <Link href="/orders">Orders</Link>
              </li>
              <li>
                <Link href="/notifications">Notifications</Link>
              </li>
              <li>
                <Link href="/profile">Profile</Link>
              </li>
              <li>
                <button type="button" className="link-button" onClick={signOut} title={user ? `Signed in as ${user.name}` : undefined}>
                  Sign out
                </button>
              </li>
            </>
          ) : (
            <>
              <li>
                <Link href="/sign-in">Sign in</Link>
              </li>
              <li>
                <Link href="/create-account">Create account</Link>
              </li>
            </>
          )}
        </ul>
      </nav>
    </header>
  );
}

/** Signed-in pages: without a session, go to sign-in and come back afterwards. */
function RequireAuth({ children }: { children: ReactNode }) {
  const { signedIn } = useSession();
  const location = useLocation();
  useEffect(() => {
    if (!signedIn) {
      navigate(`/sign-in?next=${encodeURIComponent(location.pathname + location.search)}`, { replace: true });
    }
  }, [signedIn, location.pathname, location.search]);
  return signedIn ? <>{children}</> : null;
}

function NotFound() {
  return (
    <>
      <h1>Page not found</h1>
      <p>
        <Link href="/">Back to the products</Link>
      </p>
    </>
  );
}

function route(path: string): ReactNode {
  if (path === '/' || path === '/products') return <ProductsPage />;
  const product = /^\/products\/([^/]+)$/.exec(path);
  if (product) return <ProductPage key={product[1]} sku={decodeURIComponent(product[1])} />;
  if (path === '/cart') return <CartPage />;
  if (path === '/sign-in') return <SignInPage />;
  if (path === '/create-account') return <SignUpPage />;
  if (path === '/forgot-password') return <ForgotPasswordPage />;
  if (path === '/reset-password') return <ResetPasswordPage />;
  if (path === '/verify-email') return <VerifyEmailPage />;
  const order = /^\/orders\/([^/]+)$/.exec(path);
  if (order) return <RequireAuth><OrderPage key={order[1]} id={decodeURIComponent(order[1])} /></RequireAuth>;
  if (path === '/orders') return <RequireAuth><OrdersPage /></RequireAuth>;
  if (path === '/notifications') return <RequireAuth><NotificationsPage /></RequireAuth>;
  if (path === '/profile') return <RequireAuth><ProfilePage /></RequireAuth>;
  return <NotFound />;
}

export function App() {
  const location = useLocation();
  const { lastCorrelationId } = useConnection();
  return (
    <>
      <Header />
      <GatewayBanner />
      <VerifyEmailNotice />
      <main id="main" className="page" tabIndex={-1}>
        <Suspense fallback={<p aria-busy="true">Loading…</p>}>{route(location.pathname)}</Suspense>
      </main>
      <footer className="site-footer">
        <p>Sandbox shop: no real card is charged.</p>
        {lastCorrelationId ? <p className="support">Support code of the last request: {lastCorrelationId}</p> : null}
      </footer>
    </>
  );
}
