// Rate limits at the gateway, refused with extensions.code RATE_LIMITED, HTTP 429 and
// Retry-After:
//
// - login attempts per client address (GATEWAY_RATE_LOGIN_PER_MINUTE): every `login`,
//   `requestPasswordReset` and `resetPassword` root field counts, so aliasing five logins into
//   one request costs five attempts. These guess passwords, send mail or hash a password.
//   `refreshSession` does not count: its token cannot be guessed (256 random bits), it costs
//   one lookup, and a browser refreshes on every page load (the access token lives in memory
//   only), so five reloads a minute must not lock a client, or everyone behind its address,
//   out; the gateway-wide ceiling bounds it like any request;
// - mutation fields per signed-in user (GATEWAY_RATE_MUTATIONS_PER_MINUTE);
// - a gateway-wide ceiling on GraphQL requests and WebSocket operations
//   (GATEWAY_RATE_REQUESTS_PER_SECOND), checked before anything is parsed.
//
// Counters live in Redis when GATEWAY_REDIS_URL is set (edge/shared-counters.ts), so every
// gateway process counts the same hits (`make up` with REPLICAS=2 sets it); otherwise in this
// process's memory, right for one process. Production runs Apollo Router, whose
// traffic_shaping holds the global limit; the users subgraph throttles logins in Redis too.
//
// Hive Gateway's `rateLimiting` option (@envelop/rate-limiter, identifier templates) was tried
// and does not replace this: its refusal is HTTP 200 without a code, with `Retry-After: 60000ms`
// (the window, not seconds until a slot frees); every field has a counter of its own, so the
// three sign-in fields would get three budgets and per-user mutations one per field name; an
// identifier template cannot take the last X-Forwarded-For entry, and a user-keyed template
// would put every anonymous caller in one "" bucket; and it has no ceiling checked before
// parsing, nor one for WebSocket operations.
import type { GatewayPlugin } from '@graphql-hive/gateway';
import type { AuthContext } from './auth.ts';
import { clientAddress, transportOf, type ClientContext } from './client.ts';
import { errorResponse, rateLimited, retryAfterSeconds } from './errors.ts';
import { rootFields } from './operation-limits.ts';
import type { EdgeSettings } from './settings.ts';
import { redisFor, SharedLimiter, type Limiter } from './shared-counters.ts';

const LOGIN_FIELDS = new Set(['login', 'requestPasswordReset', 'resetPassword']);
const MINUTE_MS = 60_000;

export type Decision = { ok: true } | { ok: false; retryAfterMs: number };

/** At most `max` hits per key within any `windowMs` (a log of hit times per key). */
export class SlidingWindowLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    readonly max: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {
    // Forget keys whose hits have all expired, so the map does not grow with every client seen.
    setInterval(() => this.sweep(), Math.max(windowMs, 1_000)).unref();
  }

  /** Records `cost` hits for `key` if they fit in the window; refused hits are not recorded. */
  take(key: string, cost = 1): Decision {
    const now = this.now();
    const recent = (this.hits.get(key) ?? []).filter((at) => at > now - this.windowMs);
    if (recent.length + cost > this.max) {
      this.hits.set(key, recent);
      // The oldest hits have to expire until `cost` more fit.
      const freeing = recent[recent.length + cost - this.max - 1];
      return {
        ok: false,
        retryAfterMs: freeing === undefined ? this.windowMs : freeing + this.windowMs - now,
      };
    }
    for (let i = 0; i < cost; i++) recent.push(now);
    this.hits.set(key, recent);
    return { ok: true };
  }

  private sweep(): void {
    const cutoff = this.now() - this.windowMs;
    for (const [key, times] of this.hits) {
      if ((times.at(-1) ?? 0) <= cutoff) this.hits.delete(key); // times are in order
    }
  }
}

/** `perSecond` requests a second on average, in bursts of at most `perSecond`. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly perSecond: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = perSecond;
    this.last = now();
  }

  take(_key = ''): Decision {
    const now = this.now();
    this.tokens = Math.min(
      this.perSecond,
      this.tokens + ((now - this.last) * this.perSecond) / 1000,
    );
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterMs: ((1 - this.tokens) * 1000) / this.perSecond };
  }
}

/** The three limiters: in this process's memory, or shared in Redis at `redisUrl`. */
export function rateLimiters(settings: EdgeSettings['rate'], redisUrl = '') {
  const redis = redisUrl ? redisFor(redisUrl) : null;
  function window(name: string, max: number): Limiter | null {
    if (max <= 0) return null;
    const local = new SlidingWindowLimiter(max, MINUTE_MS);
    return redis
      ? new SharedLimiter(redis, name, local, { kind: 'window', max, windowMs: MINUTE_MS })
      : local;
  }
  const perSecond = settings.requestsPerSecond;
  const local = perSecond > 0 ? new TokenBucket(perSecond) : null;
  return {
    logins: window('login', settings.loginPerMinute),
    mutations: window('mutations', settings.mutationsPerMinute),
    ceiling:
      local && redis
        ? new SharedLimiter(redis, 'ceiling', { take: () => local.take() }, { kind: 'bucket', perSecond })
        : local,
    redis,
  };
}

export function useRateLimits(
  settings: EdgeSettings['rate'],
  options: { trustProxy: boolean; graphqlEndpoint: string; redisUrl?: string },
): GatewayPlugin<AuthContext & ClientContext> {
  const { logins, mutations, ceiling, redis } = rateLimiters(settings, options.redisUrl);
  const busy = 'The gateway is receiving too many requests; try again shortly.';

  return {
    // The gateway's disposal (SIGTERM): an open Redis connection would keep the process alive.
    onDispose() {
      redis?.disconnect();
    },
    async onRequest({ url, endResponse, fetchAPI }) {
      if (!ceiling || url.pathname !== options.graphqlEndpoint) return;
      const decision = await ceiling.take('all');
      if (!decision.ok) {
        const seconds = retryAfterSeconds(decision.retryAfterMs);
        endResponse(
          errorResponse(
            fetchAPI,
            429,
            busy,
            'RATE_LIMITED',
            { 'Retry-After': String(seconds) },
            { retryAfterSeconds: seconds },
          ),
        );
      }
    },
    async onContextBuilding({ context }) {
      // Operations on an open WebSocket never pass onRequest: they count here.
      if (!ceiling || !(context as ClientContext).socket) return;
      const decision = await ceiling.take('all');
      if (!decision.ok) throw rateLimited('ws', busy, decision.retryAfterMs);
    },
    async onExecute({ args, setResultAndStopExecution }) {
      const selected = rootFields(args.document, args.operationName);
      if (!selected || selected.operation !== 'mutation') return;
      const context = args.contextValue as AuthContext & ClientContext;

      const attempts = selected.fields.filter((name) => LOGIN_FIELDS.has(name)).length;
      if (logins && attempts > 0) {
        const decision = await logins.take(clientAddress(context, options.trustProxy), attempts);
        if (!decision.ok) {
          const seconds = retryAfterSeconds(decision.retryAfterMs);
          setResultAndStopExecution({
            errors: [
              rateLimited(
                transportOf(context),
                `Too many sign-in or password reset attempts; try again in ${seconds} s.`,
                decision.retryAfterMs,
              ),
            ],
          });
          return;
        }
      }

      const subject = context.principal?.subject;
      if (mutations && subject !== undefined && selected.fields.length > 0) {
        const decision = await mutations.take(subject, selected.fields.length);
        if (!decision.ok) {
          setResultAndStopExecution({
            errors: [
              rateLimited(
                transportOf(context),
                'Too many changes in a short time; slow down.',
                decision.retryAfterMs,
              ),
            ],
          });
        }
      }
    },
  };
}
