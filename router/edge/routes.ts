// The gateway's public routes, decided once, first: the GraphQL endpoint (exactly its path; a
// query string is fine), the health endpoints and the payment provider's webhooks
// (edge/webhooks.ts). Every other path is 404 before any other
// hook runs.
//
// Without this, the GraphQL server also answers other spellings of its path (`/graphql/`,
// `//graphql`, `/x/graphql`: its own matching only checks how the URL ends), and a check that
// compares the path to the endpoint (the rate ceiling) would be skipped for them. Percent-encoded
// letters or slashes (`/%67raphql`, `/%2Fgraphql`) and other cases (`/GRAPHQL`) are refused too:
// the path is compared as received, after the URL parser's own normalisation of `.` and `..`.
import type { GatewayPlugin } from '@graphql-hive/gateway';
import { jsonResponse } from './errors.ts';

/** Hive Gateway's own probes: /healthcheck (the process) and /readiness (supergraph loaded). */
const BUILT_IN = new Set(['/healthcheck', '/readiness']);

/** /health and /health/<subgraph>; a subgraph name is letters, digits, `_` and `-`. */
const HEALTH = /^\/health(\/[A-Za-z0-9_-]+)?$/;

/** Providers' webhooks: path -> the subgraph they are passed on to (edge/webhooks.ts). */
export const WEBHOOKS: ReadonlyMap<string, string> = new Map([
  ['/webhooks/stripe', 'payments'],
  ['/webhooks/twilio/status', 'notifications'],
]);

/** True when the gateway serves `pathname` to the public. */
export function isPublicRoute(pathname: string, graphqlEndpoint: string): boolean {
  return (
    pathname === graphqlEndpoint ||
    BUILT_IN.has(pathname) ||
    HEALTH.test(pathname) ||
    WEBHOOKS.has(pathname)
  );
}

export function useKnownRoutes(graphqlEndpoint: string): GatewayPlugin {
  return {
    onRequest({ url, endResponse, fetchAPI }) {
      if (isPublicRoute(url.pathname, graphqlEndpoint)) return;
      endResponse(jsonResponse(fetchAPI, 404, { error: 'not found' }));
    },
  };
}
