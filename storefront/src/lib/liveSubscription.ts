// A subscription kept open. It ends when the access token it was opened with expires (or the
// server restarts it): a second later it is opened again (a fresh token, on a new connection)
// and `reread` runs, so a change made while it was closed is not missed. The storefront's and
// the back office's order pages both follow an order this way.
import type { OperationVariables, TypedDocumentNode } from '@apollo/client';
import { useSubscription } from '@apollo/client/react';
import { useRef } from 'react';

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
