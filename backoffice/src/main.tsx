import { ApolloProvider } from '@apollo/client/react';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createShopClient } from '@storefront/lib/apollo';
import { loadConfig } from '@storefront/lib/config';
import { Session } from '@storefront/lib/session';
import { createSessionApi } from '@storefront/lib/session-api';
import { ConnectionStatus } from '@storefront/lib/status';
import '@storefront/styles.css';
import { App } from './App';
import { BackOfficeContext } from './lib/services';
import './backoffice.css';

const root = createRoot(document.getElementById('root')!);

async function start(): Promise<void> {
  const config = await loadConfig();
  // The back office has an origin of its own (:3001), so its stored refresh token never meets the
  // shop's, though both use the same session code and storage key.
  const session = new Session({ storage: window.localStorage, locks: navigator.locks ?? null });
  const status = new ConnectionStatus();
  const { client } = createShopClient(config, session, status);
  session.api = createSessionApi(client);
  if (session.getSnapshot().signedIn) session.refresh().catch(() => undefined);
  window.addEventListener('storage', (event) => session.onStorageEvent(event.key));
  root.render(
    <StrictMode>
      <ApolloProvider client={client}>
        <BackOfficeContext.Provider value={{ session, status }}>
          <App />
        </BackOfficeContext.Provider>
      </ApolloProvider>
    </StrictMode>,
  );
}

start().catch(() => {
  root.render(
    <main className="page">
      <h1>The back office could not start</h1>
      <p role="alert">Its configuration could not be loaded. Reload the page in a moment.</p>
    </main>,
  );
});
