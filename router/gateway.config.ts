// Hive Gateway (local default and CI); production runs Apollo Router with router.yaml.
//
// Start (from router/):  npx hive-gateway supergraph --config-path gateway.config.ts
// Env: SUPERGRAPH_PATH (default <this dir>/supergraph.graphql; the file is watched and
//      reloaded on change, gracefully: see SCHEMA_RELOAD_DRAIN_MS), GATEWAY_PORT (4000),
//      GATEWAY_HOST (0.0.0.0), GATEWAY_LISTEN_FD (unset; a listening socket inherited from the
//      runner, accepted on instead of binding the port: several gateway processes on one port,
//      edge/drain.ts).
//      The CLI's own PORT/HOST variables and flags, when set, override these.
//      OTEL_EXPORTER_OTLP_ENDPOINT (and the other standard OTEL_* variables) switch tracing
//      on, exported over OTLP/HTTP; see edge/telemetry.ts.
//      The edge's settings (auth, rate limits, CORS, size and shape limits, health) and their
//      defaults are listed in edge/settings.ts.
// SIGTERM: drains (edge/drain.ts), then Hive Gateway's disposal (SHUTDOWN_TIMEOUT_MS below).
// Serves: POST/GET /graphql (GraphiQL with its Explorer on GET from a browser), WebSocket
//      (graphql-transport-ws) and SSE on /graphql, GET /health (this process),
//      GET /health/<subgraph> (ready or not), /healthcheck, /readiness, POST /webhooks/stripe
//      (passed on to payments) and /webhooks/twilio/status (to notifications, edge/webhooks.ts);
//      any other path is 404 (edge/routes.ts). On the internal listener (GATEWAY_INTERNAL_PORT, edge/internal.ts):
//      GET /metrics (open subscriptions, client and upstream) and the detailed
//      /health/<subgraph>.
//
// Request path through the edge (edge/*.ts): CORS -> known routes -> health -> body size limit ->
// webhooks (passed on to their subgraph, nothing below applies) ->
// gateway-wide rate ceiling -> CSRF prevention (before the body is parsed) -> persisted
// documents (by hash; only those when safelisting) -> parse (token limit) -> validate (depth,
// aliases, root fields) -> token verification -> the schema's authorization directives
// (@authenticated, @requiresScopes: edge/authorization.ts) -> login and per-user mutation
// limits -> estimated cost (demand control) -> subgraphs (the token goes with the request; subgraphs
// verify it again) -> subgraph errors masked unless public.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type GatewayPlugin } from '@graphql-hive/gateway';
import { tokenVerification } from './edge/auth.ts';
import { authorizationDirectives } from './edge/authorization.ts';
import { useBodyLimit } from './edge/body-limit.ts';
import { clientAddressHeaders, clientHeader } from './edge/client.ts';
import { corsFor, varyOnOrigin } from './edge/cors.ts';
import { DEFAULT_LIST_SIZE, MAX_COST, supergraphCostSchema, useCostLimit } from './edge/cost.ts';
import { onDrain, ready, requestsServed, shareListener } from './edge/drain.ts';
import { subgraphHealth, useHealth } from './edge/health.ts';
import { startInternalListener } from './edge/internal.ts';
import { useSubgraphErrorMasking } from './edge/masking.ts';
import { useOperationLimits } from './edge/operation-limits.ts';
import { useNoInternalsInErrors } from './edge/parse-errors.ts';
import { loadPersistedDocuments, usePersistedDocuments } from './edge/persisted-documents.ts';
import { useRateLimits } from './edge/rate-limit.ts';
import { useKnownRoutes } from './edge/routes.ts';
import { loadEdgeSettings } from './edge/settings.ts';
import { useWebhooks } from './edge/webhooks.ts';
import { useSharedSubscriptions } from './edge/shared-subscriptions.ts';
import { retryConnectionErrors } from './edge/upstream-retry.ts';
import { setupTracing } from './edge/telemetry.ts';
import { limitWebSocketMessages } from './edge/websocket-limit.ts';

const here = dirname(fileURLToPath(import.meta.url));
const settings = loadEdgeSettings();
const supergraphPath = process.env.SUPERGRAPH_PATH || resolve(here, 'supergraph.graphql');
const graphqlEndpoint = '/graphql';
const port = Number(process.env.GATEWAY_PORT || 4000);
// The public listener: on the runner's socket when it hands one over (GATEWAY_LISTEN_FD, several
// gateway processes on one port), drained on SIGTERM (edge/drain.ts).
shareListener(port, process.env.GATEWAY_LISTEN_FD ? Number(process.env.GATEWAY_LISTEN_FD) : undefined);
// Read (and checked) once, here: a safelisting gateway without its manifest does not start.
const persistedDocuments = loadPersistedDocuments(
  settings.persistedDocuments.paths,
  settings.persistedDocuments.only,
);
// Off (undefined) without an OTLP endpoint in the environment.
const openTelemetry = await setupTracing();
// The caller, verified once per operation, for the rate limits and the authorization directives.
const callers = tokenVerification(settings.auth);

/** Client headers passed on to every subgraph request (entity fetches included). */
const FORWARDED = ['authorization', 'x-correlation-id'] as const;

/** Puts the client's Authorization in `context.subgraphAuthorization` for the WS transport. */
const exposeAuthorization: GatewayPlugin = {
  onContextBuilding({ context, extendContext }) {
    extendContext({ subgraphAuthorization: clientHeader(context, 'authorization') });
  },
};

/** Identical subscriptions opened with the same credential share one upstream subscription. */
const sharedSubscriptions = useSharedSubscriptions(
  (context) => (context as { subgraphAuthorization?: string }).subgraphAuthorization,
);

// A draining process (SIGTERM) completes its subscriptions: their clients subscribe again.
onDrain(sharedSubscriptions.completeAll);

type RenderGraphiQL = typeof import('@graphql-yoga/render-graphiql').renderGraphiQL;
type GraphiQLOptions = NonNullable<Parameters<RenderGraphiQL>[0]>;

/**
 * The operation the IDE (GraphiQL) opens with: the README's cross-subgraph query. It is checked
 * against the schema by `make schema-check` like every operation clients ship.
 */
const IDE_EXAMPLE = `# Your account and its orders, from three subgraphs: users (me),
# orders (orders) and payments (payment). Sign up with \`register\` (or \`login\`),
# then put its accessToken in the Headers tab below:
#   {"Authorization": "Bearer <accessToken>"}
# Without it \`me\` is null. The Explorer (left sidebar) builds other queries.
query MyOrders {
  me {
    name
    email
    orders(first: 5) {
      edges {
        node {
          id
          status
          total {
            amount
            currency
          }
          payment {
            status
          }
          user {
            name
          }
        }
      }
    }
  }
}
`;

/**
 * GraphiQL with its Explorer plugin, from the self-contained bundle in node_modules: the page
 * loads nothing from another origin (no CDN). The bundle (9 MB) is loaded only when the IDE is
 * on, and the page rendered once. Headers are not persisted in the browser's storage, so a
 * pasted token leaves with the tab.
 */
async function graphiqlRenderer(): Promise<(options: GraphiQLOptions) => string> {
  const { renderGraphiQL } = await import('@graphql-yoga/render-graphiql');
  let rendered: { key: string; page: string } | undefined;
  return (options) => {
    const key = JSON.stringify(options);
    if (rendered?.key !== key) rendered = { key, page: renderGraphiQL(options) };
    return rendered.page;
  };
}

const IDE_OPTIONS: GraphiQLOptions = {
  title: 'Commerce API: GraphiQL',
  defaultQuery: IDE_EXAMPLE,
  defaultEditorToolsVisibility: 'headers',
  shouldPersistHeaders: false,
  subscriptionsProtocol: 'WS',
};

// WebSocket messages are held to the HTTP body limit (edge/websocket-limit.ts).
limitWebSocketMessages(settings.maxBodyBytes);

// Metrics and the detailed health checks: on the internal listener only (edge/internal.ts).
const health = subgraphHealth({ supergraphPath, timeoutMs: settings.healthTimeoutMs });
startInternalListener({
  ...settings.internal,
  health,
  ready,
  gauges: {
    gateway_http_requests: {
      help: 'HTTP requests this gateway process was given on the public port since it started.',
      value: requestsServed,
    },
    gateway_subscriptions_open: {
      help: 'Client subscriptions served from an upstream subscription.',
      value: sharedSubscriptions.stats.subscribers,
    },
    gateway_upstream_subscriptions_open: {
      help: 'Subscriptions open to the subgraphs (identical client ones without since share one).',
      value: sharedSubscriptions.stats.upstreams,
    },
  },
});

// A webhook passed on to its subgraph gets this long to be applied (the provider waits ~10 s).
const WEBHOOK_TIMEOUT_MS = 10_000;

/**
 * A new supergraph (`make schema-publish` rewrites the file in place: the CLI's watch of it ends
 * when the file is renamed or replaced) is loaded without a restart. New operations run on it;
 * those already running finish on the schema they started on, for up to this long, before the
 * old schema's executor and subgraph connections are closed. A subscription on the old schema
 * is ended then (the client sees `complete`), and its client subscribes again, on the new
 * schema (tests/e2e/test_schema_publish_under_load.py).
 */
const SCHEMA_RELOAD_DRAIN_MS = 30_000;

/** On SIGTERM, how long requests in flight (and SSE streams) may run on before being cut. */
const SHUTDOWN_TIMEOUT_MS = 10_000;

export const gatewayConfig = defineConfig({
  supergraph: supergraphPath,
  port,
  host: process.env.GATEWAY_HOST || '0.0.0.0',
  graphqlEndpoint,
  gracefulSchemaReload: { drainTimeout: SCHEMA_RELOAD_DRAIN_MS },
  // On SIGTERM: requests in flight get this long to finish before their connections are closed
  // (the default, 0, cuts them); edge/drain.ts keeps idle keep-alive connections for one more
  // answer first. Below the runner's 15 s between SIGTERM and SIGKILL.
  gracefulShutdownTimeout: SHUTDOWN_TIMEOUT_MS,
  ...(openTelemetry ? { openTelemetry } : {}),
  ...(settings.introspection
    ? {
        graphiql: IDE_OPTIONS,
        renderGraphiQL: await graphiqlRenderer(),
        playgroundName: 'GraphiQL',
      }
    : { graphiql: false }),
  cors: corsFor(settings.corsOrigins),
  // CSRF prevention, Apollo Router's default `csrf` rule (router.yaml writes it out): a request a
  // browser can send cross-site without a CORS preflight (a POST with no Content-Type or a form
  // or text/plain one, a GET with a query string) is refused (403) before it is parsed, unless
  // it carries one of these headers. A JSON POST (every GraphQL client) and the IDE page are
  // unaffected. The subgraphs apply the same rule (subgraphs/kernel/http.py).
  csrfPrevention: { requestHeaders: ['apollo-require-preflight', 'x-apollo-operation-name'] },
  maxTokens: settings.operation.maxTokens,
  blockFieldSuggestions: !settings.introspection,
  ...(settings.introspection ? {} : { disableIntrospection: {} }),
  // Demand control (edge/cost.ts): Hive Gateway's own check adds up the estimate of each subgraph
  // request as it is sent; useCostLimit below estimates the whole operation first, so an
  // operation over MAX_COST is refused (COST_ESTIMATED_TOO_EXPENSIVE) before any subgraph work.
  // The supergraph's @authenticated / @requiresScopes, checked for every selected field before
  // any subgraph is called (edge/authorization.ts); the subgraphs check the same scopes again.
  genericAuth: authorizationDirectives(callers.principalOf),
  demandControl: {
    maxCost: MAX_COST,
    listSize: DEFAULT_LIST_SIZE,
    includeExtensionMetadata: false,
  },
  propagateHeaders: {
    fromClientToSubgraphs: ({ context }) => ({
      ...Object.fromEntries(
        FORWARDED.map((name) => [name, clientHeader(context, name)]).filter(
          (entry): entry is [string, string] => entry[1] !== undefined,
        ),
      ),
      ...clientAddressHeaders(context, settings.trustProxy),
    }),
  },
  // A subgraph request whose connection was refused or reset before any answer is sent again
  // (a process of that subgraph stopping); only queries and mutations with an idempotency key.
  upstreamRetry: retryConnectionErrors,
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
  // onRequest hooks run in this order: health answers are never throttled, and an oversized
  // body is refused before it counts against the ceiling. The rate limits read the caller
  // that token verification puts in the context, in onExecute, after every context hook.
  plugins: () => [
    useKnownRoutes(graphqlEndpoint),
    useHealth(health),
    useBodyLimit(settings.maxBodyBytes),
    useWebhooks({ supergraphPath, timeoutMs: WEBHOOK_TIMEOUT_MS }),
    useRateLimits(settings.rate, {
      trustProxy: settings.trustProxy,
      graphqlEndpoint,
      redisUrl: settings.redisUrl,
    }),
    usePersistedDocuments(persistedDocuments, settings.persistedDocuments.only),
    useOperationLimits(settings.operation),
    callers.plugin,
    useCostLimit(MAX_COST, supergraphCostSchema(supergraphPath)),
    exposeAuthorization,
    sharedSubscriptions,
    useSubgraphErrorMasking(),
    useNoInternalsInErrors,
    varyOnOrigin,
  ],
});
