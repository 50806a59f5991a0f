// Hive Gateway (local default and CI); production runs Apollo Router with router.yaml.
//
// Start (from router/):  npx hive-gateway supergraph --config-path gateway.config.ts
// Env: SUPERGRAPH_PATH (default <this dir>/supergraph.graphql; the file is watched and
//      reloaded on change), GATEWAY_PORT (4000), GATEWAY_HOST (0.0.0.0).
//      The CLI's own PORT/HOST variables and flags, when set, override these.
// Serves: POST/GET /graphql (GraphiQL on GET from a browser), WebSocket
//      (graphql-transport-ws) and SSE on /graphql, /healthcheck, /readiness.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type GatewayPlugin } from '@graphql-hive/gateway';

const here = dirname(fileURLToPath(import.meta.url));

/** Client headers passed on to every subgraph request (entity fetches included). */
const FORWARDED = ['authorization', 'x-correlation-id'] as const;

type ClientContext = { request?: Request; connectionParams?: Record<string, unknown> };

/**
 * A client header by name: the HTTP request header, else the same key (any case) in the
 * WebSocket `connection_init` payload, where browsers put {"Authorization": "Bearer ..."}.
 */
function fromClient(context: ClientContext, name: string): string | undefined {
  const header = context.request?.headers.get(name);
  if (header) return header;
  for (const [key, value] of Object.entries(context.connectionParams ?? {})) {
    if (key.toLowerCase() === name && typeof value === 'string' && value) return value;
  }
  return undefined;
}

/** Puts the client's Authorization in `context.subgraphAuthorization` for the WS transport. */
const exposeAuthorization: GatewayPlugin = {
  onContextBuilding({ context, extendContext }) {
    extendContext({ subgraphAuthorization: fromClient(context, 'authorization') });
  },
};

export const gatewayConfig = defineConfig({
  supergraph: process.env.SUPERGRAPH_PATH || resolve(here, 'supergraph.graphql'),
  port: Number(process.env.GATEWAY_PORT || 4000),
  host: process.env.GATEWAY_HOST || '0.0.0.0',
  graphqlEndpoint: '/graphql',
  graphiql: true,
  propagateHeaders: {
    fromClientToSubgraphs: ({ context }) =>
      Object.fromEntries(
        FORWARDED.map((name) => [name, fromClient(context, name)]).filter(
          (entry): entry is [string, string] => entry[1] !== undefined,
        ),
      ),
  },
  transportEntries: {
    '*': {
      options: {
        // The subgraph HTTP executor would otherwise share one response between identical
        // concurrent queries (same URL, body and forwarded headers). Off, so that every
        // client request reaches the subgraph and benchmarks measure real work.
        deduplicateInflightRequests: false,
        // Subscriptions go to subgraphs over WebSocket (graphql-transport-ws) on the same
        // URL; the default (SSE) drops Strawberry's CRLF-terminated events. Interpolated
        // connectionParams become the subgraph's connection_init payload; the WS transport
        // keeps one upstream connection per distinct payload, i.e. per token.
        subscriptions: {
          kind: 'ws',
          options: {
            connectionParams: { Authorization: '{context.subgraphAuthorization}' },
          },
        },
      },
    },
  },
  plugins: () => [exposeAuthorization],
});
