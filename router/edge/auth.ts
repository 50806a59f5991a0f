// Access-token verification at the gateway, for HTTP requests and WebSocket operations alike.
//
// Hive Gateway's JWT plugin (useJWT / the `jwt` option) does not fit: it verifies with
// `jsonwebtoken`, which has no EdDSA, and it only looks at HTTP headers, while WebSocket clients
// send their token in the connection_init payload. This plugin verifies with `jose` against the
// users subgraph's JWKS (fetched on first use, cached, refetched for an unknown `kid`).
//
// - No Authorization: the request goes on anonymously (subgraphs decide: `me` is null,
//   `register`, `login`, `products` work).
// - A malformed, forged, expired or wrong-algorithm token: UNAUTHENTICATED (HTTP 401) before
//   any subgraph is called.
// - A valid token: `context.principal` holds its subject for the rate limits; the token itself
//   still goes to the subgraphs (propagateHeaders / WS connectionParams), which verify it again.
//   It is remembered until it expires (at most AUTH_TOKEN_CACHE_SIZE tokens, least recently
//   used first out), so its signature is checked once, as the subgraphs do: a signature check
//   was the gateway's largest cost of its own per request.
// - The JWKS cannot be fetched: an unexpected error, masked as INTERNAL_SERVER_ERROR and logged;
//   never UNAUTHENTICATED, which would make clients throw away a good token.
import type { GatewayPlugin } from '@graphql-hive/gateway';
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import { clientHeader, transportOf, type ClientContext } from './client.ts';
import { unauthenticated, type Transport } from './errors.ts';
import type { EdgeSettings } from './settings.ts';

/** The verified caller, in `context.principal`. */
export type Principal = { subject: string; claims: JWTPayload };

export type AuthContext = { principal?: Principal };

// jose error codes that mean "this token is not acceptable" (client's fault). Everything else
// (the JWKS unreachable, timing out or malformed) is the gateway's problem.
const BAD_TOKEN = new Set<string>([
  errors.JOSEAlgNotAllowed.code,
  errors.JOSENotSupported.code,
  errors.JWSInvalid.code,
  errors.JWTInvalid.code,
  errors.JWTClaimValidationFailed.code,
  errors.JWTExpired.code,
  errors.JWSSignatureVerificationFailed.code,
  errors.JWKSNoMatchingKey.code,
  errors.JWKSMultipleMatchingKeys.code,
]);

const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;

export function useTokenVerification(settings: EdgeSettings['auth']): GatewayPlugin<AuthContext> {
  const keys = createRemoteJWKSet(new URL(settings.jwksUrl), {
    timeoutDuration: 3_000,
    cooldownDuration: 30_000, // at most one refetch for unknown `kid`s every 30 s
    cacheMaxAge: 10 * 60_000,
  });

  const verified = new Map<string, Principal>(); // token -> its principal, oldest use first

  async function verify(authorization: string, transport: Transport): Promise<Principal> {
    const match = BEARER.exec(authorization.trim());
    if (!match) {
      throw unauthenticated(transport, "The Authorization header must be 'Bearer <token>'.");
    }
    const token = match[1];
    const known = verified.get(token);
    if (known !== undefined) {
      verified.delete(token);
      if (Number(known.claims.exp) * 1000 > Date.now()) {
        verified.set(token, known); // the most recently used now
        return known;
      }
    }
    const principal = await check(token, transport);
    if (settings.tokenCacheSize > 0) {
      verified.set(token, principal);
      if (verified.size > settings.tokenCacheSize) {
        verified.delete(verified.keys().next().value as string);
      }
    }
    return principal;
  }

  async function check(token: string, transport: Transport): Promise<Principal> {
    try {
      const { payload } = await jwtVerify(token, keys, {
        algorithms: settings.algorithms,
        issuer: settings.issuer,
        audience: settings.audience,
        requiredClaims: ['exp', 'iat', 'sub'],
      });
      return { subject: String(payload.sub), claims: payload };
    } catch (error) {
      if (error instanceof errors.JOSEError && BAD_TOKEN.has(error.code)) {
        throw unauthenticated(transport);
      }
      throw error;
    }
  }

  return {
    async onContextBuilding({ context, extendContext }) {
      const client = context as ClientContext;
      const authorization = clientHeader(client, 'authorization');
      if (authorization === undefined) return;
      extendContext({ principal: await verify(authorization, transportOf(client)) });
    },
  };
}
