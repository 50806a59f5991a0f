// The one way a component follows an external store (the session, the cart, the connection
// status): shared by the storefront and the back office.
import { useSyncExternalStore } from 'react';

export interface ExternalStore<T> {
  subscribe: (listener: () => void) => () => void;
  getSnapshot: () => T;
}

/** The store's current snapshot; the component renders again when it changes. */
export function useStore<T>(store: ExternalStore<T>): T {
  return useSyncExternalStore(store.subscribe, store.getSnapshot);
}
