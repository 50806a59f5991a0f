// CORS for the configured browser origins only (CORS_ORIGINS).
//
// The server's own origin list does not do that: with several origins it answers an unlisted
// one with `Access-Control-Allow-Origin: null`, and an empty list allows every origin. So the
// options are chosen per request: a listed origin gets CORS headers naming it, anything else
// gets none at all (the browser then refuses the response). Tokens travel in the Authorization
// header, never in cookies, so credentials stay off (as in Apollo Router's default). Allowed
// request headers mirror the preflight's, as Apollo Router does when allow_headers is empty.
import type { GatewayPlugin } from '@graphql-hive/gateway';

type CorsOptions = {
  origin: string[];
  methods: string[];
  credentials: boolean;
  exposedHeaders: string[];
  maxAge: number;
};

export function corsFor(origins: string[]): (request: Request) => CorsOptions | false {
  const allowed = new Set(origins);
  return (request) => {
    const origin = request.headers.get('origin');
    if (origin === null || !allowed.has(origin)) return false;
    return {
      origin: [origin],
      methods: ['GET', 'POST', 'OPTIONS'],
      credentials: false,
      exposedHeaders: ['x-correlation-id', 'retry-after'],
      maxAge: 600,
    };
  };
}

/** The answer depends on the Origin header: tell caches so (the single-origin answer does not). */
export const varyOnOrigin: GatewayPlugin = {
  onResponse({ request, response }) {
    if (request.headers.has('origin') && !/\borigin\b/i.test(response.headers.get('vary') ?? '')) {
      response.headers.append('vary', 'Origin');
    }
  },
};
