// Payment provider webhooks (edge/routes.ts: WEBHOOKS): POST /webhooks/stripe is passed on,
// body and signature header untouched, to the same path on the payments subgraph, which
// verifies the signature and answers; its status and body come back as they are. The body
// limit (edge/body-limit.ts) runs first. Any other method is 405; a subgraph that cannot be
// reached is 502 (the provider retries every answer but a 2xx).
//
// The subgraph's address is its routing URL in the supergraph (`join__graph`), read like the
// health checks read it (edge/health.ts), without the trailing /graphql.
import type { GatewayPlugin } from '@graphql-hive/gateway';
import { jsonResponse } from './errors.ts';
import { supergraphSubgraphs } from './health.ts';
import { WEBHOOKS } from './routes.ts';

/** The headers passed on: the body's type and the provider's signature. */
const FORWARDED = ['content-type', 'stripe-signature'];

/** `http://host:4003/graphql` + `/webhooks/stripe` -> `http://host:4003/webhooks/stripe`. */
export function webhookUrl(routingUrl: string, path: string): string {
  const url = new URL(routingUrl);
  url.pathname = `${url.pathname.replace(/\/graphql\/?$/, '').replace(/\/+$/, '')}${path}`;
  url.search = '';
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
      // onRequest errors are not caught by the server: keep every failure inside.
      try {
        const routingUrl = (await subgraphs()).get(subgraph);
        if (routingUrl === undefined) {
          endResponse(jsonResponse(fetchAPI, 404, { error: 'not found' }));
          return;
        }
        const headers: Record<string, string> = {};
        for (const name of FORWARDED) {
          const value = request.headers.get(name);
          if (value !== null) headers[name] = value;
        }
        const body = await request.arrayBuffer();
        const answer = await fetch(webhookUrl(routingUrl, url.pathname), {
          method: 'POST',
          headers,
          body,
          signal: AbortSignal.timeout(options.timeoutMs),
        });
        const text = await answer.text();
        endResponse(
          new fetchAPI.Response(text, {
            status: answer.status,
            headers: { 'content-type': answer.headers.get('content-type') ?? 'application/json' },
          }),
        );
      } catch {
        endResponse(jsonResponse(fetchAPI, 502, { error: 'payments unavailable' }));
      }
    },
  };
}
