// What the gateway tells subgraphs about its client: X-Forwarded-For is the address the gateway
// saw, never a value the client sent. Run by `npm test` in router/.
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { test } from 'node:test';
import { clientAddressHeaders } from '../edge/client.ts';

function fromPeer(peer: string, forwardedFor: string) {
  const req = { socket: { remoteAddress: peer }, headers: {} } as unknown as IncomingMessage;
  const request = new Request('http://gateway/graphql', {
    headers: { 'x-forwarded-for': forwardedFor },
  });
  return { req, request };
}

test("a client's own X-Forwarded-For is replaced by its socket address", () => {
  const context = fromPeer('203.0.113.5', '6.6.6.6');
  assert.deepEqual(clientAddressHeaders(context, false), { 'x-forwarded-for': '203.0.113.5' });
});

test('behind a trusted proxy only the entry that proxy appended is passed on', () => {
  const context = fromPeer('10.0.0.2', '6.6.6.6, 198.51.100.7');
  assert.deepEqual(clientAddressHeaders(context, true), { 'x-forwarded-for': '198.51.100.7' });
});
