// Errors the edge itself returns, shaped like the subgraphs' public errors: a readable message
// and `extensions.code`. `extensions.http` is read (and removed) by the GraphQL server: it sets
// the response status and headers.
import { GraphQLError } from 'graphql';

export type EdgeCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'RATE_LIMITED'
  | 'PAYLOAD_TOO_LARGE'
  | 'BAD_REQUEST'
  | 'MAX_DEPTH_LIMIT'
  | 'MAX_ALIASES_LIMIT'
  | 'MAX_ROOT_FIELDS_LIMIT'
  | 'MAX_HEIGHT_LIMIT';

/** How the refused operation arrived: only HTTP answers carry a status and headers. */
export type Transport = 'http' | 'ws';

/**
 * A GraphQL error a client may see as it is. Over HTTP, `status` and `headers` become the
 * response's; over a WebSocket there is no response to shape, so they are left out.
 */
export function edgeError(
  message: string,
  code: EdgeCode,
  transport: Transport,
  http: { status: number; headers?: Record<string, string> },
  extensions: Record<string, unknown> = {},
): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code, ...extensions, ...(transport === 'http' ? { http } : {}) },
  });
}

export function unauthenticated(
  transport: Transport,
  message = 'Invalid or expired access token.',
): GraphQLError {
  return edgeError(message, 'UNAUTHENTICATED', transport, {
    status: 401,
    headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
  });
}

/** Whole seconds for a Retry-After header, at least 1. */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

export function rateLimited(
  transport: Transport,
  message: string,
  retryAfterMs: number,
): GraphQLError {
  const seconds = retryAfterSeconds(retryAfterMs);
  return edgeError(
    message,
    'RATE_LIMITED',
    transport,
    { status: 429, headers: { 'Retry-After': String(seconds) } },
    { retryAfterSeconds: seconds },
  );
}

/**
 * A complete GraphQL-over-HTTP error response, for refusals made before the GraphQL server
 * runs (body too large, gateway-wide ceiling).
 */
export function errorResponse(
  fetchAPI: { Response: typeof Response },
  status: number,
  message: string,
  code: EdgeCode,
  headers: Record<string, string> = {},
  extensions: Record<string, unknown> = {},
): Response {
  return new fetchAPI.Response(
    JSON.stringify({ errors: [{ message, extensions: { code, ...extensions } }] }),
    { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers } },
  );
}

/** A JSON response (health endpoints). */
export function jsonResponse(
  fetchAPI: { Response: typeof Response },
  status: number,
  body: unknown,
): Response {
  return new fetchAPI.Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
  });
}
