// What every page reaches through React context: the session (the storefront's, shared), the
// connection status, and the claims of the current access token for display.
import { createContext, useContext, useEffect, useState } from 'react';
import type { Session, SessionSnapshot } from '@storefront/lib/session';
import type { ConnectionSnapshot, ConnectionStatus } from '@storefront/lib/status';
import { useStore } from '@storefront/lib/store';
import { decodeClaims, type StaffClaims } from './access';

export interface BackOffice {
  session: Session;
  status: ConnectionStatus;
}

export const BackOfficeContext = createContext<BackOffice | null>(null);

export function useBackOffice(): BackOffice {
  const services = useContext(BackOfficeContext);
  if (!services) throw new Error('useBackOffice outside <BackOfficeContext>');
  return services;
}

export function useSession(): SessionSnapshot {
  return useStore(useBackOffice().session);
}

export function useConnection(): ConnectionSnapshot {
  return useStore(useBackOffice().status);
}

/**
 * The claims of the session's access token, read again whenever the session changes (sign-in,
 * each refresh: a role change shows at the next refresh). `undefined` while not known yet.
 */
export function useClaims(): StaffClaims | null | undefined {
  const { session } = useBackOffice();
  const snapshot = useSession();
  const [claims, setClaims] = useState<StaffClaims | null | undefined>(undefined);
  useEffect(() => {
    let current = true;
    if (!snapshot.signedIn) {
      setClaims(null);
      return;
    }
    session
      .accessToken()
      .then((token) => current && setClaims(token ? decodeClaims(token) : null))
      .catch(() => current && setClaims(undefined)); // offline: keep waiting, the shell says so
    return () => {
      current = false;
    };
  }, [session, snapshot]);
  return claims;
}
