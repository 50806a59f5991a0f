// The users subgraph's session calls, sent through the shop's client (persisted, with a
// correlation id) but never with the access token of the session being refreshed.
import type { ApolloClient } from '@apollo/client';
import { graphql } from '../gql';
import type { SessionApi } from './session';

export const RefreshSessionMutation = graphql(`
  mutation RefreshSession($input: RefreshSessionInput!) {
    refreshSession(input: $input) {
      accessToken
      expiresAt
      refreshToken
      refreshExpiresAt
      user {
        id
        name
        email
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`);

export const LogoutMutation = graphql(`
  mutation Logout($input: LogoutInput!) {
    logout(input: $input) {
      userErrors {
        field
        message
        code
      }
    }
  }
`);

export const LogoutEverywhereMutation = graphql(`
  mutation LogoutEverywhere {
    logoutEverywhere {
      revokedSessions
      userErrors {
        field
        message
        code
      }
    }
  }
`);

export function createSessionApi(client: ApolloClient): SessionApi {
  return {
    async refresh(refreshToken) {
      const { data } = await client.mutate({
        mutation: RefreshSessionMutation,
        variables: { input: { refreshToken } },
        context: { anonymous: true },
        fetchPolicy: 'no-cache',
      });
      const payload = data?.refreshSession;
      if (payload?.accessToken && payload.expiresAt) {
        return { ok: true, grant: { ...payload, accessToken: payload.accessToken, expiresAt: payload.expiresAt } };
      }
      return { ok: false, code: payload?.userErrors[0]?.code ?? 'INVALID_REFRESH_TOKEN' };
    },
    async logout(refreshToken) {
      await client.mutate({
        mutation: LogoutMutation,
        variables: { input: { refreshToken } },
        context: { anonymous: true },
        fetchPolicy: 'no-cache',
      });
    },
    async logoutEverywhere(accessToken) {
      const { data } = await client.mutate({
        mutation: LogoutEverywhereMutation,
        context: { anonymous: true, headers: { authorization: `Bearer ${accessToken}` } },
        fetchPolicy: 'no-cache',
      });
      const problem = data?.logoutEverywhere.userErrors[0];
      if (problem) throw new Error(problem.message);
    },
  };
}
