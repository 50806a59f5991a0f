// A subscription kept open. It ends when the access token it was opened with expires (or the
// server restarts it): a second later it is opened again (a fresh token, on a new connection)
// with `since`, the time of the last status change known by then, so the server first sends the
// changes made while it was closed, then the live ones; and `reread` runs (what moves with a
// status, e.g. the payment, is read again). The storefront's and the back office's order pages
// both follow an order this way.
import type { OperationVariables, TypedDocumentNode } from '@apollo/client';
import { useApolloClient, useSubscription } from '@apollo/client/react';
import { useCallback, useEffect, useRef, useState } from 'react';

const REOPEN_AFTER_MS = 1_000;

/**
 * `document` subscribed with `options`, its `since` variable the `lastKnown` time as of each
 * opening: a change seen live moves `lastKnown` without opening the subscription again.
 */
export function useReopenedSubscription<
  TData,
  TVariables extends OperationVariables & { since?: string | null },
>(
  document: TypedDocumentNode<TData, TVariables>,
  options: useSubscription.Options<NoInfer<TData>, NoInfer<TVariables>>,
  reread: () => Promise<unknown>,
  lastKnown: string | undefined,
): useSubscription.Result<TData> {
  const latest = useRef(lastKnown);
  latest.current = lastKnown;
  // Taken when it is first opened (below), then at each reopening.
  const [openedSince, setOpenedSince] = useState<string>();
  const since = openedSince ?? lastKnown;
  const sinceNow = useRef(since);
  sinceNow.current = since;
  useEffect(() => {
    if (!options.skip && openedSince === undefined) setOpenedSince(lastKnown);
  }, [options.skip, openedSince, lastKnown]);

  const reopen = useRef<() => void>(() => undefined);
  const subscription = useSubscription(document, {
    ...options,
    variables: { ...options.variables, since } as NoInfer<TVariables>,
    onComplete: () => reopen.current(),
    onError: () => reopen.current(),
  });
  reopen.current = () => {
    window.setTimeout(() => {
      // A newer `since` opens it anew by itself (its variables changed).
      if (latest.current !== sinceNow.current) setOpenedSince(latest.current);
      else subscription.restart();
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
