// Providers' webhooks (edge/routes.ts `WEBHOOKS`): POST only, passed on as they came (path,
// query string, body and headers, Host and hop-by-hop headers aside) to the subgraph that owns
// them, and its answer back. The subgraph checks the provider's signature itself, against the
// public URL in its settings (PUBLIC_BASE_URL), so the gateway neither parses nor changes them.
// Its URL is the supergraph's routing URL for that subgraph with the path replaced.
// The body size limit (edge/body-limit.ts) runs before; the GraphQL limits do not apply.
import type { GatewayPlugin } from '@graphql-hive/gateway';
import { jsonResponse } from './errors.ts';
import { supergraphSubgraphs } from './health.ts';
import { WEBHOOKS } from './routes.ts';

const NOT_PASSED_ON = new Set([
  'host',
  'connection',
  'keep-alive',
  'content-length',
  'transfer-encoding',
  'te',
  'upgrade',
  'proxy-authorization',
]);

/** `http://host:4004/graphql` and `/webhooks/x?n=1` -> `http://host:4004/webhooks/x?n=1`. */
export function webhookTarget(routingUrl: string, path: string, search: string): string {
  const url = new URL(routingUrl);
  url.pathname = path;
  url.search = search;
  return url.toString();
}

export function useWebhooks(options: { supergraphPath: string; timeoutMs: number }): GatewayPlugin {
  const subgraphs = supergraphSubgraphs(options.supergraphPath);
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      const subgraph = WEBHOOKS.get(url.pathname);
      if (subgraph === undefined) return;
      if (request.method !== 'POST') {
        endResponse(jsonResponse(fetchAPI, 405, { error: 'method not allowed' }));
        return;
      }
      // onRequest errors would crash the process: every failure is an answer.
      try {
        const routingUrl = (await subgraphs()).get(subgraph);
        if (routingUrl === undefined) {
          endResponse(jsonResponse(fetchAPI, 503, { error: 'unavailable' }));
          return;
        }
        const headers = new fetchAPI.Headers();
        request.headers.forEach((value, name) => {
          if (!NOT_PASSED_ON.has(name.toLowerCase())) headers.set(name, value);
        });
        const answer = await fetch(webhookTarget(routingUrl, url.pathname, url.search), {
          method: 'POST',
          headers,
          body: await request.arrayBuffer(),
          signal: AbortSignal.timeout(options.timeoutMs),
          redirect: 'manual',
        });
        const body = await answer.arrayBuffer();
        const type = answer.headers.get('content-type');
        endResponse(
          new fetchAPI.Response(answer.status === 204 ? null : body, {
            status: answer.status,
            headers: type ? { 'content-type': type } : {},
          }),
        );
      } catch {
        endResponse(jsonResponse(fetchAPI, 502, { error: 'upstream unavailable' }));
      }
    },
  };
}
