// The internal listener (GATEWAY_INTERNAL_PORT, GATEWAY_INTERNAL_HOST): what operators and
// Prometheus read, kept off the public port.
//
// GET /metrics                the gateway's gauges (edge/metrics.ts)
// GET /health/<subgraph>      that subgraph's own readiness body, its checks included
//                             (edge/health.ts); the public port says only ready or not
// GET /health                 200 {"status":"ok"}
// GET /ready                  200 while this process serves the public port, 503 once it drains
//                             (SIGTERM, edge/drain.ts): the runner probes each process here
// Anything else is 404.
import { createServer, type Server } from 'node:http';
import type { HealthProbe } from './health.ts';
import { renderGauges, type Gauge } from './metrics.ts';

type Answer = { status: number; type: string; body: string };

const json = (status: number, body: unknown): Answer => ({
  status,
  type: 'application/json; charset=utf-8',
  body: JSON.stringify(body),
});

async function answer(
  method: string,
  pathname: string,
  gauges: Record<string, Gauge>,
  health: HealthProbe,
  ready: () => boolean,
): Promise<Answer> {
  if (method !== 'GET' && method !== 'HEAD') return json(405, { error: 'method not allowed' });
  if (pathname === '/metrics') {
    return { status: 200, type: 'text/plain; version=0.0.4; charset=utf-8', body: renderGauges(gauges) };
  }
  if (pathname === '/health') return json(200, { status: 'ok' });
  if (pathname === '/ready') return ready() ? json(200, { status: 'ready' }) : json(503, { status: 'draining' });
  if (pathname.startsWith('/health/')) {
    const result = await health(pathname.slice('/health/'.length));
    return result ? json(result.status, result.body) : json(404, { error: 'unknown subgraph' });
  }
  return json(404, { error: 'not found' });
}

export function startInternalListener(options: {
  port: number;
  host: string;
  gauges: Record<string, Gauge>;
  health: HealthProbe;
  ready: () => boolean;
}): Server {
  const server = createServer((request, response) => {
    const pathname = new URL(request.url ?? '/', 'http://internal').pathname;
    answer(request.method ?? 'GET', pathname, options.gauges, options.health, options.ready)
      .catch(() => json(500, { error: 'internal error' }))
      .then(({ status, type, body }) => {
        response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
        response.end(request.method === 'HEAD' ? undefined : body);
      });
  });
  server.on('error', (error) => {
    // The gateway does not serve without its internal listener: a taken port stops it.
    console.error(`internal listener on ${options.host}:${options.port}: ${error.message}`);
    process.exit(1);
  });
  server.listen(options.port, options.host);
  server.unref();
  return server;
}
