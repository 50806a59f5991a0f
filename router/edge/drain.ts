// The public listener: shared between gateway processes, and drained on SIGTERM.
//
// Shared: Node 20 has no `reusePort`, so several gateway processes cannot each bind the port.
// The runner (`make up` with REPLICAS=2, tools/stack/parts.py) binds it once and hands the
// listening socket to every gateway process as an inherited file descriptor
// (GATEWAY_LISTEN_FD); each process accepts on it (Node's `server.listen({ fd })`), the kernel
// gives each connection to one of them, and a process that closes its copy leaves the others
// accepting. Hive Gateway's CLI creates its server and calls `listen(port, host)` itself, with
// no option for a descriptor: `shareListener` wraps `net.Server.prototype.listen` so that the
// call for the gateway's port listens on the descriptor instead (every other listen, the
// internal listener's included, is left as it is).
//
// Drained: on SIGTERM Hive Gateway's CLI disposes the server at once: it stops accepting,
// closes the idle keep-alive connections, waits for requests in flight (up to
// `gracefulShutdownTimeout`) and closes WebSockets with 1001 (going away; graphql-ws clients
// connect again). On the signal, subscriptions are also completed (`onDrain`:
// edge/shared-subscriptions.ts), so an SSE stream ends at once, as a WebSocket subscription
// does, and its client subscribes again (on the other process). Closing an idle keep-alive
// connection races with a request the client sends on it at that moment (the client sees a
// reset). So while the process drains (DRAIN_MS, less once no connection is left), every
// answer says `Connection: close` and idle connections are left open for their next request;
// only then are the idle ones closed. The internal listener's /ready answers 503 from the
// signal on (edge/internal.ts).
import { Server as NetServer, type ListenOptions } from 'node:net';
import type { Server as HttpServer, IncomingMessage, ServerResponse } from 'node:http';

/** How long idle keep-alive connections are left for one more request after SIGTERM. */
export const DRAIN_MS = 2_000;

type Listen = (...args: unknown[]) => NetServer;

const drainHooks: Array<() => void> = [];

/** `hook` runs when the process starts draining (SIGTERM). */
export function onDrain(hook: () => void): void {
  drainHooks.push(hook);
}

const state = {
  listening: false,
  draining: false,
  requests: 0,
  server: undefined as HttpServer | undefined,
};

/** This process serves the public port and does not drain (the internal listener's /ready). */
export const ready = (): boolean => state.listening && !state.draining;
/** HTTP requests this process was given on the public port (WebSocket upgrades excluded). */
export const requestsServed = (): number => state.requests;

function portOf(args: unknown[]): number | undefined {
  const first = args[0];
  if (typeof first === 'number' || typeof first === 'string') return Number(first);
  if (first && typeof first === 'object' && 'port' in first) {
    return Number((first as ListenOptions).port);
  }
  return undefined;
}

/**
 * The server that listens on `port` (Hive Gateway's) listens on descriptor `fd` when given,
 * and is drained on SIGTERM. Call once, before the CLI starts its server (gateway.config.ts).
 */
export function shareListener(port: number, fd: number | undefined): void {
  const listen = NetServer.prototype.listen as Listen;
  NetServer.prototype.listen = function (this: NetServer, ...args: unknown[]): NetServer {
    if (state.server !== undefined || portOf(args) !== port) return listen.apply(this, args);
    const server = this as HttpServer;
    state.server = server;
    server.once('listening', () => {
      state.listening = true;
    });
    server.on('request', (_request: IncomingMessage, response: ServerResponse) => {
      state.requests += 1;
      // Added after the gateway's handler, which answers later (asynchronously).
      if (state.draining && !response.headersSent) response.setHeader('connection', 'close');
    });
    deferIdleClosing(server);
    if (fd === undefined) return listen.apply(this, args);
    const done = args.find((arg) => typeof arg === 'function');
    return listen.call(this, { fd }, done);
  } as typeof NetServer.prototype.listen;
  process.once('SIGTERM', () => {
    state.draining = true;
    for (const hook of drainHooks) hook();
  });
}

/** `closeIdleConnections` (called by the CLI's disposal and by `close()`) waits out the
 * drain: until DRAIN_MS after the signal, or until no connection is left. */
function deferIdleClosing(server: HttpServer): void {
  const closeIdle = server.closeIdleConnections.bind(server);
  let scheduled = false;
  server.closeIdleConnections = () => {
    if (!state.draining) return closeIdle();
    if (scheduled) return;
    scheduled = true;
    const until = Date.now() + DRAIN_MS;
    const poll = setInterval(() => {
      server.getConnections((error, count) => {
        if (error || count === 0 || Date.now() >= until) {
          clearInterval(poll);
          closeIdle();
        }
      });
    }, 50);
    poll.unref();
  };
}
