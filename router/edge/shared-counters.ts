// The rate limits' counters in Redis, so that every gateway process counts the same hits
// (GATEWAY_REDIS_URL; without it each process counts in its own memory, right for one).
//
// Each check is one Lua script (atomic on the server): the sliding window keeps a sorted set of
// hit times per key, the token bucket a hash of tokens left and when they were counted. The
// time is the gateway's clock (the processes share one host, or synchronised ones). When Redis
// does not answer, the process falls back to its own in-memory counters (logged once) rather
// than refuse or let everything through; it uses Redis again once Redis answers.
import { Redis } from 'ioredis';
import type { Decision } from './rate-limit.ts';

export const KEY_PREFIX = 'gateway:rate:';

/** A limiter as the plugin uses it: `take` may answer later (over the network). */
export interface Limiter {
  take(key: string, cost?: number): Decision | Promise<Decision>;
}

// KEYS[1]: the key's hit log; ARGV: now (ms), window (ms), max, cost, a unique member prefix.
// Returns 0 when the hits were recorded, else the milliseconds until they would fit.
const SLIDING_WINDOW = `
local now, window, max, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count + cost > max then
  local oldest = redis.call('ZRANGE', KEYS[1], count + cost - max - 1, count + cost - max - 1, 'WITHSCORES')
  if oldest[2] == nil then return window end
  return math.max(tonumber(oldest[2]) + window - now, 1)
end
for i = 1, cost do redis.call('ZADD', KEYS[1], now, ARGV[5] .. ':' .. i) end
redis.call('PEXPIRE', KEYS[1], window)
return 0
`;

// KEYS[1]: the bucket; ARGV: now (ms), rate (tokens a second). Returns 0 when a token was
// taken, else the milliseconds until one is there.
const TOKEN_BUCKET = `
local now, rate = tonumber(ARGV[1]), tonumber(ARGV[2])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens, at = tonumber(state[1]) or rate, tonumber(state[2]) or now
tokens = math.min(rate, tokens + math.max(now - at, 0) * rate / 1000)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = math.max(math.ceil((1 - tokens) * 1000 / rate), 1) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
redis.call('PEXPIRE', KEYS[1], 60000)
return wait
`;

let sequence = 0;

/** One connection per process; commands fail at once while it is down (no queue). */
export function redisFor(url: string): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 1_000,
    commandTimeout: 500,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  redis.on('error', () => undefined); // each failed check says so; reconnection is automatic
  return redis;
}

/** A limiter counting in Redis under `name`, falling back to `local` while Redis fails. */
export class SharedLimiter implements Limiter {
  private warned = false;

  constructor(
    private readonly redis: Redis,
    private readonly name: string,
    private readonly local: { take(key: string, cost?: number): Decision },
    private readonly script: { kind: 'window'; max: number; windowMs: number } | { kind: 'bucket'; perSecond: number },
    private readonly now: () => number = Date.now,
  ) {}

  async take(key: string, cost = 1): Promise<Decision> {
    const redisKey = `${KEY_PREFIX}${this.name}:${key}`;
    try {
      const wait = Number(
        this.script.kind === 'window'
          ? await this.redis.eval(
              SLIDING_WINDOW,
              1,
              redisKey,
              this.now(),
              this.script.windowMs,
              this.script.max,
              cost,
              `${process.pid}:${this.now()}:${sequence++}`,
            )
          : await this.redis.eval(TOKEN_BUCKET, 1, redisKey, this.now(), this.script.perSecond),
      );
      this.warned = false;
      return wait > 0 ? { ok: false, retryAfterMs: wait } : { ok: true };
    } catch (error) {
      if (!this.warned) {
        this.warned = true;
        console.warn(`rate limits: Redis failed (${String(error)}); counting in this process`);
      }
      return this.local.take(key, cost);
    }
  }
}
