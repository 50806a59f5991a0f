// The Apollo Client of the shop. Request path (each link's job):
//   correlation id -> retry (queries, network failures, with backoff) -> auth (access token,
//   refreshed when due) -> unauthenticated (refresh once, then retry) -> persisted documents
//   (sent by sha256 hash, the full document only if the gateway asks) -> gateway health ->
//   transport: HTTP for queries and mutations; subscriptions over graphql-ws (Hive Gateway)
//   or multipart HTTP (Apollo Router), chosen by the run-time config.
import { ApolloClient, ApolloLink, CombinedGraphQLErrors, HttpLink, InMemoryCache, ServerError } from '@apollo/client';
import { ErrorLink } from '@apollo/client/link/error';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { RetryLink } from '@apollo/client/link/retry';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { getMainDefinition, relayStylePagination } from '@apollo/client/utilities';
import type { DocumentNode } from 'graphql';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { from, switchMap, tap } from 'rxjs';
import { websocketUrl, type AppConfig } from './config';
import type { Session } from './session';
import { newId, type ConnectionStatus } from './status';

type WithMeta = DocumentNode & { __meta__?: { hash?: string } };

/** The manifest hash codegen embedded in the document (src/gql/persisted-documents.json). */
export function documentHash(document: DocumentNode): string {
  const hash = (document as WithMeta).__meta__?.hash;
  if (!hash) throw new Error('operation is not a persisted document (write it with graphql() under src/)');
  return hash;
}

function isSubscription(operation: ApolloLink.Operation): boolean {
  const definition = getMainDefinition(operation.query);
  return definition.kind === 'OperationDefinition' && definition.operation === 'subscription';
}

function isQuery(operation: ApolloLink.Operation): boolean {
  const definition = getMainDefinition(operation.query);
  return definition.kind === 'OperationDefinition' && definition.operation === 'query';
}

/** The gateway could not be reached or answered as a broken proxy would (no GraphQL body). */
export function isUnreachable(error: unknown): boolean {
  if (ServerError.is(error)) return error.statusCode >= 502;
  if (CombinedGraphQLErrors.is(error)) return false;
  return error instanceof TypeError || (error instanceof Error && /fetch|network/i.test(error.message));
}

function hasCode(error: unknown, code: string): boolean {
  return CombinedGraphQLErrors.is(error) && error.errors.some((e) => e.extensions?.code === code);
}

/** A gateway without persisted documents asks for the query text instead of a known hash. */
function wantsQueryText(error: unknown): boolean {
  return (
    CombinedGraphQLErrors.is(error) &&
    error.errors.some((e) => /must provide query|persistedquerynotfound|persisted.*not.*found/i.test(e.message))
  );
}

export interface Shop {
  client: ApolloClient;
  ws: WsClient | null;
}

export function createShopClient(config: AppConfig, session: Session, status: ConnectionStatus): Shop {
  const correlation = new ApolloLink((operation, forward) => {
    const id = newId();
    status.correlation(id);
    operation.setContext(({ headers }: { headers?: Record<string, string> }) => ({
      headers: { ...headers, 'x-correlation-id': id },
    }));
    return forward(operation);
  });

  const retry = new RetryLink({
    delay: { initial: 400, max: 4_000, jitter: true },
    attempts: { max: 3, retryIf: (error, operation) => isQuery(operation) && isUnreachable(error) },
  });

  const auth = new ApolloLink((operation, forward) => {
    if (operation.getContext().anonymous) return forward(operation);
    return from(session.accessToken().catch(() => null)).pipe(
      switchMap((token) => {
        operation.setContext(({ headers }: { headers?: Record<string, string> }) => {
          const next = { ...headers };
          if (token) next.authorization = `Bearer ${token}`;
          else delete next.authorization;
          return { headers: next, token };
        });
        return forward(operation);
      }),
    );
  });

  // A refused access token (expired early, keys rotated): refresh once and send again.
  const unauthenticated = new ErrorLink(({ error, operation, forward }) => {
    const token = operation.getContext().token as string | null | undefined;
    if (!token || operation.getContext().retriedAuth || !hasCode(error, 'UNAUTHENTICATED')) return;
    session.rejectAccessToken(token);
    return from(session.refresh().catch(() => null)).pipe(
      switchMap((fresh) => {
        if (!fresh) throw error;
        operation.setContext(({ headers }: { headers?: Record<string, string> }) => ({
          headers: { ...headers, authorization: `Bearer ${fresh}` },
          token: fresh,
          retriedAuth: true,
        }));
        return forward(operation);
      }),
    );
  });

  const persisted = new PersistedQueryLink({
    generateHash: documentHash,
    retry: ({ meta, error }) => meta.persistedQueryNotFound || meta.persistedQueryNotSupported || wantsQueryText(error),
    disable: ({ meta, error }) => meta.persistedQueryNotSupported || (!meta.persistedQueryNotFound && wantsQueryText(error)),
  });

  const health = new ApolloLink((operation, forward) =>
    forward(operation).pipe(
      tap({
        next: () => status.up(),
        error: (error: unknown) => {
          if (isUnreachable(error)) status.down();
          else status.up();
        },
      }),
    ),
  );

  const http = new HttpLink({ uri: config.gatewayUrl });
  let ws: WsClient | null = null;
  let transport: ApolloLink = http;
  if (config.subscriptions === 'ws') {
    ws = createWsClient({
      url: websocketUrl(config.gatewayUrl),
      lazy: true,
      retryAttempts: Number.POSITIVE_INFINITY,
      shouldRetry: () => true,
      retryWait: async (retries) => {
        await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 500 * 2 ** retries)));
      },
      // A gateway that accepts the socket while it is still starting may never acknowledge it:
      // give up on such a connection (it is retried), and ping to notice a dead one.
      connectionAckWaitTimeout: 10_000,
      keepAlive: 15_000,
      connectionParams: async () => {
        const token = await session.accessToken().catch(() => null);
        return token ? { Authorization: `Bearer ${token}` } : {};
      },
      on: {
        connected: () => {
          status.live('connected');
          status.up();
        },
        closed: () => status.live('reconnecting'),
      },
    });
    transport = ApolloLink.split(isSubscription, new GraphQLWsLink(ws), http);
  }

  const client = new ApolloClient({
    link: ApolloLink.from([correlation, retry, auth, unauthenticated, persisted, health, transport]),
    cache: new InMemoryCache({
      typePolicies: {
        User: {
          fields: {
            orders: relayStylePagination(),
            notifications: relayStylePagination(),
          },
        },
        Product: { keyFields: ['sku'] },
        Order: { fields: { items: { merge: false } } },
      },
    }),
  });
  return { client, ws };
}

