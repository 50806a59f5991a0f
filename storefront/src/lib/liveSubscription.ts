// A subscription kept open. It ends when the access token it was opened with expires (or the
// server restarts it): a second later it is opened again (a fresh token, on a new connection)
// and `reread` runs, so a change made while it was closed is not missed. The storefront's and
// the back office's order pages both follow an order this way.
import type { OperationVariables, TypedDocumentNode } from '@apollo/client';
import { useApolloClient, useSubscription } from '@apollo/client/react';
import { useCallback, useRef } from 'react';

const REOPEN_AFTER_MS = 1_000;

export function useReopenedSubscription<TData, TVariables extends OperationVariables>(
  document: TypedDocumentNode<TData, TVariables>,
  options: useSubscription.Options<NoInfer<TData>, NoInfer<TVariables>>,
  reread: () => Promise<unknown>,
): useSubscription.Result<TData> {
  const reopen = useRef<() => void>(() => undefined);
  const subscription = useSubscription(document, {
    ...options,
    onComplete: () => reopen.current(),
    onError: () => reopen.current(),
  });
  reopen.current = () => {
    window.setTimeout(() => {
      subscription.restart();
      void reread();
    }, REOPEN_AFTER_MS);
  };
  return subscription;
}

/**
 * A read of `document` from the network into the cache, for after a change was announced. It
 * never joins a request of the same query already in flight (Apollo shares those by default):
 * that one may have been sent before the change, and would answer the state before it.
 */
export function useFreshRead<TData, TVariables extends OperationVariables>(
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
): () => Promise<unknown> {
  const client = useApolloClient();
  const key = JSON.stringify(variables);
  return useCallback(
    () =>
      client
        .query({
          query: document,
          variables: JSON.parse(key) as TVariables,
          fetchPolicy: 'network-only',
          context: { queryDeduplication: false },
        })
        .catch(() => undefined), // the page's own query shows a failure; the next change reads again
    [client, document, key],
  );
}
