// The users subgraph's session calls (refreshSession, logout, logoutEverywhere). Until the
// gateway's schema has them, sessions last as long as one access token.
import type { ApolloClient } from '@apollo/client';
import type { SessionApi } from './session';

export function createSessionApi(_client: ApolloClient): SessionApi | null {
  return null;
}
