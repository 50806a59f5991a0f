import { ApolloProvider } from '@apollo/client/react';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { createShopClient } from './lib/apollo';
import { loadConfig } from './lib/config';
import { Session } from './lib/session';
import { createSessionApi } from './lib/session-api';
import { CartStore, ShopContext } from './lib/shop';
import { ConnectionStatus } from './lib/status';
import './styles.css';

const root = createRoot(document.getElementById('root')!);

async function start(): Promise<void> {
  const config = await loadConfig();
  const session = new Session({ storage: window.localStorage, locks: navigator.locks ?? null });
  const status = new ConnectionStatus();
  const cart = new CartStore(window.localStorage);
  const { client } = createShopClient(config, session, status);
  session.api = createSessionApi(client);
  // Back from a reload with a stored session: get this tab's access token (and the user) now.
  if (session.getSnapshot().signedIn) session.refresh().catch(() => undefined);
  window.addEventListener('storage', (event) => {
    session.onStorageEvent(event.key);
    cart.reload();
  });
  root.render(
    <StrictMode>
      <ApolloProvider client={client}>
        <ShopContext.Provider value={{ session, cart, status }}>
          <App />
        </ShopContext.Provider>
      </ApolloProvider>
    </StrictMode>,
  );
}

start().catch(() => {
  root.render(
    <main className="page">
      <h1>The shop could not start</h1>
      <p role="alert">Its configuration could not be loaded. Reload the page in a moment.</p>
    </main>,
  );
});
