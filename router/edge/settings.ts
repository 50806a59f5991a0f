// The gateway edge's settings, read from the environment once, at start-up, in one place.
//
// AUTH_JWKS_URL       http://127.0.0.1:4001/.well-known/jwks.json: the users subgraph's JWKS
// AUTH_ISSUER         commerce-users: the `iss` access tokens must carry
// AUTH_AUDIENCE       commerce: the `aud` access tokens must carry
// AUTH_TOKEN_CACHE_SIZE  10000: verified tokens remembered until they expire (one signature
//                     check per token; the subgraphs read the same setting); 0: every request
// CORS_ORIGINS        http://localhost:3000,http://localhost:3001,http://localhost:5173: browser
//                     origins allowed (the storefront, the back office, Vite's dev server;
//                     comma separated; empty: none)
// GATEWAY_MAX_BODY_BYTES             1572864 (1.5 MiB): larger request bodies get 413
// GATEWAY_MAX_DEPTH                  12: deepest field nesting of an operation
// GATEWAY_MAX_ALIASES                15: aliases in one operation
// GATEWAY_MAX_ROOT_FIELDS            20: root fields of one operation
// GATEWAY_MAX_HEIGHT                 200: fields of one operation once its fragments are expanded
//                                    (each spread counted; introspection exempt)
// GATEWAY_MAX_TOKENS                 2000: lexical tokens in one document
// GATEWAY_RATE_LOGIN_PER_MINUTE      5: `login`, `requestPasswordReset` and `resetPassword`
//                                    fields per client address a minute
// GATEWAY_RATE_MUTATIONS_PER_MINUTE  60: mutation fields per signed-in user a minute
// GATEWAY_RATE_REQUESTS_PER_SECOND   1000: GraphQL requests and WebSocket operations, all clients
// GATEWAY_REDIS_URL                  (empty): a Redis the rate limits count in, shared by every
//                                    gateway process (edge/shared-counters.ts; `make up` sets it
//                                    with REPLICAS=2); empty: each process counts in memory
// GATEWAY_TRUST_PROXY                false: take the client address from X-Forwarded-For (set it
//                                    only behind a proxy that sets that header)
// GATEWAY_HEALTH_TIMEOUT_MS          2000: how long /health/<subgraph> waits for its /ready
// GATEWAY_INTERNAL_PORT              4010: the internal listener's port (/metrics, detailed
//                                    /health/<subgraph>; edge/internal.ts); `make up` sets it
//                                    to its gateway port + 10
// GATEWAY_INTERNAL_HOST              127.0.0.1: the internal listener's address (0.0.0.0 lets
//                                    Prometheus in from another host; never publish the port)
// GATEWAY_INTROSPECTION              true; false: no introspection, field suggestions or IDE
// GATEWAY_PERSISTED_DOCUMENTS        ../storefront/src/gql/persisted-documents.json,../backoffice/src/gql/persisted-documents.json,./persisted-retired.json:
//                                    the web apps' persisted documents manifests {sha256: document}
//                                    and the documents an earlier release's open tabs may still
//                                    send (persisted-retired.json, tools/persisted-queries.mjs),
//                                    merged (comma separated, relative to router/)
// GATEWAY_PERSISTED_DOCUMENTS_ONLY   false; true: only the manifest's documents run (safelisting);
//                                    the manifest must then exist (edge/persisted-documents.ts)
//
// Depth and aliases match the subgraphs' own limits (GRAPHQL_MAX_*), so an operation the
// gateway lets through is not refused further in. A rate of 0 turns that limit off. The same GATEWAY_MAX_* and GATEWAY_RATE_REQUESTS_PER_SECOND
// names feed Apollo Router's limits and traffic shaping in router.yaml, so both gateways refuse
// the same operations.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** router/, against which relative paths in settings are resolved. */
const ROUTER_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface EdgeSettings {
  auth: {
    jwksUrl: string;
    issuer: string;
    audience: string;
    algorithms: string[];
    tokenCacheSize: number;
  };
  corsOrigins: string[];
  maxBodyBytes: number;
  operation: {
    maxDepth: number;
    maxAliases: number;
    maxRootFields: number;
    maxHeight: number;
    maxTokens: number;
  };
  rate: { loginPerMinute: number; mutationsPerMinute: number; requestsPerSecond: number };
  redisUrl: string;
  trustProxy: boolean;
  healthTimeoutMs: number;
  internal: { port: number; host: string };
  introspection: boolean;
  persistedDocuments: { paths: string[]; only: boolean };
}

type Env = Record<string, string | undefined>;

/** Reads and checks every setting; throws on a malformed value so the gateway does not start. */
export function loadEdgeSettings(env: Env = process.env): EdgeSettings {
  return {
    auth: {
      jwksUrl: text(env, 'AUTH_JWKS_URL', 'http://127.0.0.1:4001/.well-known/jwks.json'),
      issuer: text(env, 'AUTH_ISSUER', 'commerce-users'),
      audience: text(env, 'AUTH_AUDIENCE', 'commerce'),
      // The users subgraph signs with Ed25519; anything else (`none`, HS256 made with the public
      // key, RS256) is refused before the signature is even looked at.
      algorithms: ['EdDSA'],
      tokenCacheSize: count(env, 'AUTH_TOKEN_CACHE_SIZE', 10_000, 0),
    },
    corsOrigins: list(env, 'CORS_ORIGINS', 'http://localhost:3000,http://localhost:3001,http://localhost:5173'),
    maxBodyBytes: count(env, 'GATEWAY_MAX_BODY_BYTES', 1_572_864, 1),
    operation: {
      maxDepth: count(env, 'GATEWAY_MAX_DEPTH', 12, 1),
      maxAliases: count(env, 'GATEWAY_MAX_ALIASES', 15, 0),
      maxRootFields: count(env, 'GATEWAY_MAX_ROOT_FIELDS', 20, 1),
      maxHeight: count(env, 'GATEWAY_MAX_HEIGHT', 200, 1),
      maxTokens: count(env, 'GATEWAY_MAX_TOKENS', 2000, 1),
    },
    rate: {
      loginPerMinute: count(env, 'GATEWAY_RATE_LOGIN_PER_MINUTE', 5, 0),
      mutationsPerMinute: count(env, 'GATEWAY_RATE_MUTATIONS_PER_MINUTE', 60, 0),
      requestsPerSecond: count(env, 'GATEWAY_RATE_REQUESTS_PER_SECOND', 1000, 0),
    },
    redisUrl: text(env, 'GATEWAY_REDIS_URL', ''),
    trustProxy: flag(env, 'GATEWAY_TRUST_PROXY', false),
    healthTimeoutMs: count(env, 'GATEWAY_HEALTH_TIMEOUT_MS', 2000, 1),
    internal: {
      port: count(env, 'GATEWAY_INTERNAL_PORT', 4010, 1),
      host: text(env, 'GATEWAY_INTERNAL_HOST', '127.0.0.1'),
    },
    introspection: flag(env, 'GATEWAY_INTROSPECTION', true),
    persistedDocuments: {
      paths: list(
        env,
        'GATEWAY_PERSISTED_DOCUMENTS',
        '../storefront/src/gql/persisted-documents.json,../backoffice/src/gql/persisted-documents.json,./persisted-retired.json',
      ).map((path) => resolve(ROUTER_DIR, path)),
      only: flag(env, 'GATEWAY_PERSISTED_DOCUMENTS_ONLY', false),
    },
  };
}

function text(env: Env, name: string, fallback: string): string {
  const value = env[name]?.trim();
  return value ? value : fallback;
}

function list(env: Env, name: string, fallback: string): string[] {
  const raw = env[name] ?? fallback;
  return raw
    .split(',')
    .map((item) => item.trim().replace(/\/+$/, ''))
    .filter(Boolean);
}

function count(env: Env, name: string, fallback: number, min: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min) {
    throw new Error(`${name} must be an integer >= ${min}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new Error(`${name} must be true or false, got ${JSON.stringify(env[name])}`);
}
