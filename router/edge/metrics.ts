// GET /metrics: a few gauges of this gateway process in Prometheus' text format (the figures
// the subgraphs cannot see, such as how many client subscriptions the gateway serves).
import type { GatewayPlugin } from '@graphql-hive/gateway';

export type Gauge = { help: string; value: () => number };

export function renderGauges(gauges: Record<string, Gauge>): string {
  return Object.entries(gauges)
    .map(([name, g]) => `# HELP ${name} ${g.help}\n# TYPE ${name} gauge\n${name} ${g.value()}\n`)
    .join('');
}

export function useMetrics(gauges: Record<string, Gauge>): GatewayPlugin {
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== '/metrics' || request.method !== 'GET') return;
      endResponse(
        new fetchAPI.Response(renderGauges(gauges), {
          headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' },
        }),
      );
    },
  };
}
