// Who is calling: the client's headers (HTTP, or the WebSocket connection_init payload) and
// network address.
import type { IncomingMessage } from 'node:http';

/**
 * What the gateway's context holds about the client. `req` is Node's request (HTTP) or the
 * WebSocket upgrade request; `connectionParams` is the graphql-transport-ws `connection_init`
 * payload; `socket` is set for operations arriving over a WebSocket.
 */
export type ClientContext = {
  request?: Request;
  req?: IncomingMessage;
  connectionParams?: Record<string, unknown>;
  socket?: unknown;
};

/**
 * A client header by (lower-case) name: the HTTP request header, else the same key (any case)
 * in the WebSocket `connection_init` payload, where browsers put {"Authorization": "Bearer ..."}.
 */
export function clientHeader(context: ClientContext, name: string): string | undefined {
  const header = context.request?.headers.get(name);
  if (header) return header;
  for (const [key, value] of Object.entries(context.connectionParams ?? {})) {
    if (key.toLowerCase() === name && typeof value === 'string' && value) return value;
  }
  return undefined;
}

/** Whether the operation came over a WebSocket (the server puts the socket in the context). */
export function transportOf(context: ClientContext): 'http' | 'ws' {
  return context.socket === undefined ? 'http' : 'ws';
}

/**
 * The client's IP address. Behind a reverse proxy (GATEWAY_TRUST_PROXY=true) it is the last
 * X-Forwarded-For entry, the one that proxy appended; otherwise the socket's peer, since any
 * client can send an X-Forwarded-For of its choosing.
 */
export function clientAddress(context: ClientContext, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded =
      context.request?.headers.get('x-forwarded-for') ?? header(context.req, 'x-forwarded-for');
    const last = forwarded?.split(',').pop()?.trim();
    if (last) return last;
  }
  return context.req?.socket?.remoteAddress ?? 'unknown';
}

function header(req: IncomingMessage | undefined, name: string): string | undefined {
  const value = req?.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/**
 * The headers the gateway adds to every subgraph request about its client: X-Forwarded-For set
 * to the one address `clientAddress` found (never the client's own X-Forwarded-For, which is
 * not passed on), so the users subgraph's per-address throttles count real clients
 * (USERS_TRUSTED_PROXY_HOPS=1: the last entry).
 */
export function clientAddressHeaders(
  context: ClientContext,
  trustProxy: boolean,
): Record<string, string> {
  return { 'x-forwarded-for': clientAddress(context, trustProxy) };
}
