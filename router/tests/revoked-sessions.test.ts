// The gateway's revoked-session lookup against an in-process stand-in for the users subgraph.
// Run by `npm test` in router/ (and so by `make test`).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { revokedSessions } from '../edge/auth.ts';

/** Answers `GET /sessions/revoked/<sid>` from `revoked`; counts what it was asked. */
type Users = { server: Server; jwksUrl: string; asked: string[] };

async function users(revoked: Set<string>): Promise<Users> {
  const asked: string[] = [];
  const server = createServer((request, response) => {
    const match = /^\/sessions\/revoked\/([^/]+)$/.exec(request.url ?? '');
    if (!match) {
      response.writeHead(404).end();
      return;
    }
    const sessionId = decodeURIComponent(match[1]);
    asked.push(sessionId);
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ revoked: revoked.has(sessionId) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`, asked };
}

test('a session is looked up next to the JWKS, once per short while', async () => {
  const revoked = new Set(['s-gone']);
  const { server, jwksUrl, asked } = await users(revoked);
  try {
    const isRevoked = revokedSessions(jwksUrl);
    assert.equal(await isRevoked('s-gone'), true);
    assert.equal(await isRevoked('s-live'), false);
    assert.equal(await isRevoked('s-live'), false); // from the cache
    assert.deepEqual(asked, ['s-gone', 's-live']);
    assert.equal(await isRevoked('not a session id!'), false); // never sent
    assert.deepEqual(asked, ['s-gone', 's-live']);
  } finally {
    server.close();
  }
});

test('users unreachable: the last answer stands, else not revoked', async () => {
  const { server, jwksUrl } = await users(new Set(['s-gone']));
  let clock = 0;
  const isRevoked = revokedSessions(jwksUrl, () => clock);
  assert.equal(await isRevoked('s-gone'), true);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  clock += 60_000; // long past the cache: asked again, and users does not answer
  const warn = console.warn;
  console.warn = () => {};
  try {
    assert.equal(await isRevoked('s-gone'), true);
    assert.equal(await isRevoked('s-never-seen'), false);
  } finally {
    console.warn = warn;
  }
});
