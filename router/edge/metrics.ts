// GET /metrics (internal listener, edge/internal.ts): a few gauges of this gateway process in
// Prometheus' text format (the figures the subgraphs cannot see, such as how many client
// subscriptions the gateway serves).

export type Gauge = { help: string; value: () => number };

export function renderGauges(gauges: Record<string, Gauge>): string {
  return Object.entries(gauges)
    .map(([name, g]) => `# HELP ${name} ${g.help}\n# TYPE ${name} gauge\n${name} ${g.value()}\n`)
    .join('');
}

