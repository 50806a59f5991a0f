// Health endpoints:
//
// - GET /health: the gateway process answers (200 {"status":"ok"}); nothing else is asked.
// - GET /health/<subgraph> (public port): 200 {"status":"ready"} or 503 {"status":"unavailable"}
//   and the subgraph's name, nothing else (no internal parts). The answer is remembered for
//   PUBLIC_CACHE_MS, so callers cannot make the gateway ping a subgraph on every request.
// - GET /health/<subgraph> on the internal listener (edge/internal.ts): that subgraph's own
//   GET /ready body, asked afresh, passed on with its status (200, or 503 when it is not ready,
//   cannot be reached or does not answer within GATEWAY_HEALTH_TIMEOUT_MS). A subgraph's public
//   /ready says ready or not; the checks behind it are on the subgraph's own internal listener
//   (its <NAME>_INTERNAL_PORT, with its /metrics), which the gateway never calls.
// An unknown or malformed name is 404.
//
// The subgraphs and their URLs are the supergraph's `join__Graph` values (name and url of
// @join__graph), read from the supergraph file the gateway serves and re-read when it changes,
// so a new subgraph needs no change here. A routing URL's trailing /graphql becomes /ready.
import { readFile, stat } from 'node:fs/promises';
import type { GatewayPlugin } from '@graphql-hive/gateway';
import { Kind, parse, type ConstDirectiveNode } from 'graphql';
import { jsonResponse } from './errors.ts';

/** Subgraph name -> routing URL, from a supergraph SDL's `enum join__Graph`. */
export function subgraphUrls(supergraphSdl: string): Map<string, string> {
  const urls = new Map<string, string>();
  for (const definition of parse(supergraphSdl, { noLocation: true }).definitions) {
    if (definition.kind !== Kind.ENUM_TYPE_DEFINITION || definition.name.value !== 'join__Graph')
      continue;
    for (const value of definition.values ?? []) {
      const graph = value.directives?.find((d) => d.name.value === 'join__graph');
      const name = graph && stringArgument(graph, 'name');
      const url = graph && stringArgument(graph, 'url');
      if (name && url) urls.set(name, url);
    }
  }
  return urls;
}

function stringArgument(directive: ConstDirectiveNode, name: string): string | undefined {
  const argument = directive.arguments?.find((a) => a.name.value === name);
  return argument?.value.kind === Kind.STRING ? argument.value.value : undefined;
}

/** `http://host:4001/graphql` -> `http://host:4001/ready`. */
export function readinessUrl(routingUrl: string): string {
  const url = new URL(routingUrl);
  url.pathname = `${url.pathname.replace(/\/graphql\/?$/, '').replace(/\/+$/, '')}/ready`;
  url.search = '';
  return url.toString();
}

/** The supergraph file's subgraphs, re-read only when the file changes (a file caught half
 * rewritten, which does not parse, leaves the previous ones). */
export function supergraphSubgraphs(path: string): () => Promise<Map<string, string>> {
  let cached: { version: string; urls: Map<string, string> } | undefined;
  return async () => {
    const info = await stat(path);
    const version = `${info.mtimeMs}:${info.size}`;
    if (cached?.version !== version) {
      try {
        cached = { version, urls: subgraphUrls(await readFile(path, 'utf8')) };
      } catch (error) {
        if (!cached) throw error;
      }
    }
    return cached.urls;
  };
}

async function probe(
  name: string,
  routingUrl: string,
  timeoutMs: number,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const unavailable = (error: string) => ({
    status: 503,
    body: { status: 'unavailable', subgraph: name, error },
  });
  let response: Response;
  try {
    response = await fetch(readinessUrl(routingUrl), {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const timedOut = error instanceof Error && error.name === 'TimeoutError';
    return unavailable(timedOut ? `no answer within ${timeoutMs} ms` : 'unreachable');
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    return unavailable(`answered HTTP ${response.status} without JSON`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return unavailable(`answered HTTP ${response.status} without a JSON object`);
  }
  if (response.status !== 200 && response.status !== 503) {
    return unavailable(`answered HTTP ${response.status}`);
  }
  return {
    status: response.status,
    body: { ...(body as Record<string, unknown>), subgraph: name },
  };
}

export type HealthProbe = (
  name: string,
) => Promise<{ status: number; body: Record<string, unknown> } | undefined>;

/** Probes a subgraph by name (undefined: no such subgraph); never throws. */
export function subgraphHealth(options: { supergraphPath: string; timeoutMs: number }): HealthProbe {
  const subgraphs = supergraphSubgraphs(options.supergraphPath);
  return async (name) => {
    if (!SUBGRAPH_NAME.test(name)) return undefined;
    try {
      const routingUrl = (await subgraphs()).get(name);
      if (routingUrl === undefined) return undefined;
      return await probe(name, routingUrl, options.timeoutMs);
    } catch {
      return { status: 503, body: { status: 'unavailable', subgraph: name, error: 'health check failed' } };
    }
  };
}

const SUBGRAPH_NAME = /^[A-Za-z0-9_-]+$/;
const PUBLIC_CACHE_MS = 1000;

export function useHealth(health: HealthProbe): GatewayPlugin {
  const recent = new Map<string, { at: number; status: number }>();
  const publicStatus = async (name: string): Promise<number | undefined> => {
    const cached = recent.get(name);
    if (cached && Date.now() - cached.at < PUBLIC_CACHE_MS) return cached.status;
    const result = await health(name);
    if (result === undefined) return undefined;
    recent.set(name, { at: Date.now(), status: result.status });
    return result.status;
  };
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== '/health' && !url.pathname.startsWith('/health/')) return;
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        endResponse(jsonResponse(fetchAPI, 405, { error: 'method not allowed' }));
        return;
      }
      if (url.pathname === '/health') {
        endResponse(jsonResponse(fetchAPI, 200, { status: 'ok' }));
        return;
      }
      // Only names the routes allow (edge/routes.ts) get here; `health` never throws.
      const name = url.pathname.slice('/health/'.length);
      const status = await publicStatus(name);
      if (status === undefined) {
        endResponse(jsonResponse(fetchAPI, 404, { error: 'unknown subgraph' }));
        return;
      }
      const word = status === 200 ? 'ready' : 'unavailable';
      endResponse(jsonResponse(fetchAPI, status, { status: word, subgraph: name }));
    },
  };
}
