// Health endpoints:
//
// - GET /health: the gateway process answers (200 {"status":"ok"}); nothing else is asked.
// - GET /health/<subgraph>: that subgraph's own GET /ready, passed on with its status (200, or
//   503 when it is not ready, cannot be reached or does not answer within
//   GATEWAY_HEALTH_TIMEOUT_MS) and the subgraph's name added; an unknown name is 404.
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

/** The supergraph file's subgraphs, re-read only when the file changes. */
function supergraphSubgraphs(path: string): () => Promise<Map<string, string>> {
  let cached: { version: string; urls: Map<string, string> } | undefined;
  return async () => {
    const info = await stat(path);
    const version = `${info.mtimeMs}:${info.size}`;
    if (cached?.version !== version) {
      cached = { version, urls: subgraphUrls(await readFile(path, 'utf8')) };
    }
    return cached.urls;
  };
}

async function probe(
  name: string,
  routingUrl: string,
  timeoutMs: number,
): Promise<{ status: number; body: object }> {
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
  return { status: response.status, body: { ...body, subgraph: name } };
}

export function useHealth(options: { supergraphPath: string; timeoutMs: number }): GatewayPlugin {
  const subgraphs = supergraphSubgraphs(options.supergraphPath);
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
      // onRequest errors are not caught by the server (they would crash the process).
      try {
        const name = decodeURIComponent(url.pathname.slice('/health/'.length));
        const routingUrl = (await subgraphs()).get(name);
        if (routingUrl === undefined) {
          endResponse(jsonResponse(fetchAPI, 404, { error: 'unknown subgraph', subgraph: name }));
          return;
        }
        const { status, body } = await probe(name, routingUrl, options.timeoutMs);
        endResponse(jsonResponse(fetchAPI, status, body));
      } catch {
        endResponse(jsonResponse(fetchAPI, 500, { status: 'error', error: 'health check failed' }));
      }
    },
  };
}
