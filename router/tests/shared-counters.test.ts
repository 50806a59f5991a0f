// The rate limits counted in Redis (edge/shared-counters.ts): two gateway processes (two sets
// of limiters here) share one budget, with the same limits and Retry-After as in memory; with
// Redis gone each falls back to its own counters. Needs `redis-server` (make test installs it).
// Run by `npm test` in router/.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { after, before, test } from 'node:test';
import { rateLimiters } from '../edge/rate-limit.ts';

const hasRedis = spawnSync('redis-server', ['--version']).status === 0;
let server: ChildProcess | undefined;
let url = '';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const port = (probe.address() as { port: number }).port;
      probe.close(() => resolve(port));
    });
  });
}

before(async () => {
  if (!hasRedis) return;
  const port = await freePort();
  server = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  url = `redis://127.0.0.1:${port}/0`;
  const { redis } = rateLimiters({ loginPerMinute: 1, mutationsPerMinute: 1, requestsPerSecond: 1 }, url);
  for (let i = 0; i < 100; i++) {
    try {
      await redis!.ping();
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  redis!.disconnect();
});

after(() => server?.kill());

const settings = { loginPerMinute: 5, mutationsPerMinute: 3, requestsPerSecond: 2 };

/** Limiters whose Redis connection is up (a gateway's first checks may fall back). */
async function connected(rate: typeof settings) {
  const limiters = rateLimiters(rate, url);
  if (limiters.redis!.status !== 'ready') {
    await new Promise((resolve) => limiters.redis!.once('ready', resolve));
  }
  return limiters;
}

test('two processes share one budget per key', { skip: !hasRedis }, async () => {
  const one = await connected(settings);
  const two = await connected(settings);
  const user = `user-${Math.random()}`;
  assert.deepEqual(await one.mutations!.take(user, 2), { ok: true });
  assert.deepEqual(await two.mutations!.take(user), { ok: true });
  const refused = await two.mutations!.take(user);
  assert.equal(refused.ok, false);
  assert.ok(!refused.ok && refused.retryAfterMs > 0 && refused.retryAfterMs <= 60_000);
  assert.deepEqual(await one.mutations!.take(`other-${Math.random()}`), { ok: true });
  // Five sign-in attempts per address, counted across both.
  const address = `10.0.0.${Math.floor(Math.random() * 250)}-${Math.random()}`;
  assert.deepEqual(await one.logins!.take(address, 5), { ok: true });
  assert.equal((await two.logins!.take(address)).ok, false);
  one.redis!.disconnect();
  two.redis!.disconnect();
});

test('the gateway-wide ceiling is one bucket for every process', { skip: !hasRedis }, async () => {
  const one = await connected({ ...settings, requestsPerSecond: 50 });
  const two = await connected({ ...settings, requestsPerSecond: 50 });
  await one.redis!.del('gateway:rate:ceiling:all');
  let refused = 0;
  for (let i = 0; i < 100; i++) {
    const decision = await (i % 2 ? one : two).ceiling!.take('all');
    if (!decision.ok) refused++;
  }
  assert.ok(refused > 0, 'the shared bucket ran out');
  one.redis!.disconnect();
  two.redis!.disconnect();
});

test('without Redis each process counts on its own', async () => {
  const port = await freePort(); // nothing listens there
  const alone = rateLimiters(settings, `redis://127.0.0.1:${port}/0`);
  const user = `user-${Math.random()}`;
  for (let i = 0; i < 3; i++) assert.deepEqual(await alone.mutations!.take(user), { ok: true });
  assert.equal((await alone.mutations!.take(user)).ok, false);
  alone.redis!.disconnect();
});
