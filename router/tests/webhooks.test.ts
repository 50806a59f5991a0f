// The payment provider's webhook route: public at exactly its path, passed on to the same path
// on the payments subgraph. Run by `npm test` in router/.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPublicRoute } from '../edge/routes.ts';
import { webhookUrl } from '../edge/webhooks.ts';

test('/webhooks/stripe is public, other spellings are not', () => {
  assert.equal(isPublicRoute('/webhooks/stripe', '/graphql'), true);
  for (const path of ['/webhooks/stripe/', '/webhooks/Stripe', '/webhooks', '/x/webhooks/stripe']) {
    assert.equal(isPublicRoute(path, '/graphql'), false, path);
  }
});

test("a webhook goes to the same path on its subgraph's address", () => {
  assert.equal(
    webhookUrl('http://payments:4003/graphql', '/webhooks/stripe'),
    'http://payments:4003/webhooks/stripe',
  );
  assert.equal(
    webhookUrl('http://127.0.0.1:4003/graphql/?x=1', '/webhooks/stripe'),
    'http://127.0.0.1:4003/webhooks/stripe',
  );
});
