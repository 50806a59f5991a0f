// A subscription kept open. It ends when the access token it was opened with expires (or the
// server restarts it): a second later it is opened again (a fresh token, on a new connection)
// with `since`, the time of the last change it delivered (before any, of the first read), so the
// server first sends the changes made while it was closed, then the live ones; and `reread` runs
// (what moves with a status, e.g. the payment, is read again). The storefront's and the back
// office's order pages both follow an order this way, each page keyed by its order.
import type { OperationVariables, TypedDocumentNode } from '@apollo/client';
import { useApolloClient, useSubscription } from '@apollo/client/react';
import { useCallback, useEffect, useRef, useState } from 'react';

const REOPEN_AFTER_MS = 1_000;

/** What moves `since`: the first read of the subject, or a change the subscription delivered. */
export type Known = { read: string } | { delivered: string };

/**
 * The `since` to open the subscription with after `known`: the first read's time, then the
 * latest `occurredAt` delivered. Later reads never move it: a read made while the subscription
 * was closed shows the last change only, and changes made before it (e.g. a failed payment,
 * then a successful one) must still be caught up.
 */
export function nextSince(since: string | undefined, known: Known): string | undefined {
  if ('read' in known) return since ?? known.read;
  if (since === undefined || Date.parse(known.delivered) > Date.parse(since)) return known.delivered;
  return since;
}

/**
 * `document` subscribed with `options`, kept open, its `since` variable set per `nextSince`:
 * `firstRead` the subject's time as first read (later values are ignored), `occurredAt` the time
 * of the change in a delivered message. A change seen live moves `since` without opening the
 * subscription again. Key the caller by its subject: `since` belongs to one.
 */
export function useReopenedSubscription<
  TData,
  TVariables extends OperationVariables & { since?: string | null },
>(
  document: TypedDocumentNode<TData, TVariables>,
  options: useSubscription.Options<NoInfer<TData>, NoInfer<TVariables>>,
  reread: () => Promise<unknown>,
  firstRead: string | undefined,
  occurredAt: (data: NoInfer<TData>) => string | null | undefined,
): useSubscription.Result<TData> {
  const known = useRef<string | undefined>(undefined);
  // Taken when it is first opened (below), then at each reopening.
  const [openedSince, setOpenedSince] = useState<string>();
  const since = openedSince ?? firstRead;
  const sinceNow = useRef(since);
  sinceNow.current = since;
  useEffect(() => {
    if (options.skip || openedSince !== undefined || firstRead === undefined) return;
    known.current = nextSince(known.current, { read: firstRead });
    setOpenedSince(known.current);
  }, [options.skip, openedSince, firstRead]);

  const reopen = useRef<() => void>(() => undefined);
  const subscription = useSubscription(document, {
    ...options,
    variables: { ...options.variables, since } as NoInfer<TVariables>,
    onData: (message) => {
      const at = message.data.data ? occurredAt(message.data.data) : undefined;
      if (at) known.current = nextSince(known.current, { delivered: at });
      options.onData?.(message);
    },
    onComplete: () => reopen.current(),
    onError: () => reopen.current(),
  });
  reopen.current = () => {
    window.setTimeout(() => {
      // A newer `since` opens it anew by itself (its variables changed).
      if (known.current !== sinceNow.current) setOpenedSince(known.current);
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
