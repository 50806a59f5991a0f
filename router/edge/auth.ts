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
// - A token of a revoked session (its `sid`: logout, logout everywhere, password changed or
//   reset, refresh-token reuse): UNAUTHENTICATED, cached tokens included. The users subgraph
//   answers whether a session is revoked (`GET <users>/sessions/revoked/<sid>`, next to its
//   JWKS, from the deny-list in Redis); each answer is kept REVOCATION_CACHE_MS, so a revocation
//   takes effect here within a second and a session costs at most one lookup a second. Asking
//   users rather than Redis keeps the gateway free of a Redis client and its configuration. If
//   users does not answer, the last answer stands (else "not revoked"): the subgraphs, which
//   read the deny-list themselves, still refuse the token.
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

const REVOCATION_CACHE_MS = 500;
const REVOCATION_TIMEOUT_MS = 1_000;
const REVOCATION_CACHE_SIZE = 100_000;
const SESSION_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** Whether a session is revoked, asked of the users subgraph, each answer kept briefly. */
export function revokedSessions(
  jwksUrl: string,
  now: () => number = Date.now,
): (sessionId: string) => Promise<boolean> {
  // Resolved against the JWKS address, so a path prefix in front of users is kept.
  const base = new URL('../sessions/revoked/', jwksUrl);
  const known = new Map<string, { revoked: boolean; at: number; asking?: Promise<boolean> }>();

  async function ask(sessionId: string, last: boolean): Promise<boolean> {
    try {
      const response = await fetch(new URL(encodeURIComponent(sessionId), base), {
        signal: AbortSignal.timeout(REVOCATION_TIMEOUT_MS),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const body = (await response.json()) as { revoked?: unknown };
      return body.revoked === true;
    } catch (error) {
      console.warn(`revoked-session check failed: ${String(error)}`);
      return last;
    }
  }

  return async (sessionId) => {
    if (!SESSION_ID.test(sessionId)) return false; // not one of ours: nothing to look up
    const entry = known.get(sessionId);
    if (entry !== undefined) {
      if (now() - entry.at < REVOCATION_CACHE_MS) return entry.revoked;
      if (entry.asking !== undefined) return entry.asking; // one lookup at a time per session
    }
    const asking = ask(sessionId, entry?.revoked ?? false);
    known.set(sessionId, { revoked: entry?.revoked ?? false, at: entry?.at ?? 0, asking });
    const revoked = await asking;
    known.delete(sessionId);
    known.set(sessionId, { revoked, at: now() });
    if (known.size > REVOCATION_CACHE_SIZE) known.delete(known.keys().next().value as string);
    return revoked;
  };
}

/**
 * Verifies the caller's token once per operation context: `principalOf(context)` (the verified
 * principal, undefined without a token; a bad token throws UNAUTHENTICATED) is what the rate
 * limits and the authorization directives (edge/authorization.ts) read, whichever plugin asks
 * first; `plugin` puts it in `context.principal`.
 */
export function tokenVerification(settings: EdgeSettings['auth']): {
  plugin: GatewayPlugin<AuthContext>;
  principalOf: (context: object) => Promise<Principal | undefined>;
} {
  const keys = createRemoteJWKSet(new URL(settings.jwksUrl), {
    timeoutDuration: 3_000,
    cooldownDuration: 30_000, // at most one refetch for unknown `kid`s every 30 s
    cacheMaxAge: 10 * 60_000,
  });

  const verified = new Map<string, Principal>(); // token -> its principal, oldest use first
  const revoked = revokedSessions(settings.jwksUrl);
  const perContext = new WeakMap<object, Promise<Principal | undefined>>();

  async function verify(authorization: string, transport: Transport): Promise<Principal> {
    const principal = await verifyToken(authorization, transport);
    const sessionId = principal.claims.sid;
    if (typeof sessionId === 'string' && (await revoked(sessionId))) {
      throw unauthenticated(transport);
    }
    return principal;
  }

  async function verifyToken(authorization: string, transport: Transport): Promise<Principal> {
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

  function principalOf(context: object): Promise<Principal | undefined> {
    let principal = perContext.get(context);
    if (principal === undefined) {
      const client = context as ClientContext;
      const authorization = clientHeader(client, 'authorization');
      principal =
        authorization === undefined
          ? Promise.resolve(undefined)
          : verify(authorization, transportOf(client));
      perContext.set(context, principal);
    }
    return principal;
  }

  return {
    principalOf,
    plugin: {
      async onContextBuilding({ context, extendContext }) {
        const principal = await principalOf(context);
        if (principal !== undefined) extendContext({ principal });
      },
    },
  };
}

export function useTokenVerification(settings: EdgeSettings['auth']): GatewayPlugin<AuthContext> {
  return tokenVerification(settings).plugin;
}
