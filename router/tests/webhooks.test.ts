// Providers' webhooks: public by exact path only, and passed on to the subgraph's own address
// with the path and query string as they came. Run by `npm test` in router/.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPublicRoute, WEBHOOKS } from '../edge/routes.ts';
import { webhookTarget } from '../edge/webhooks.ts';

test('each webhook is public by its exact path only, owned by its subgraph', () => {
  assert.equal(WEBHOOKS.get('/webhooks/stripe'), 'payments');
  assert.equal(WEBHOOKS.get('/webhooks/twilio/status'), 'notifications');
  for (const path of WEBHOOKS.keys()) assert.ok(isPublicRoute(path, '/graphql'), path);
  const spellings = [
    '/webhooks/stripe/',
    '/webhooks/Stripe',
    '/webhooks',
    '/x/webhooks/stripe',
    '/webhooks/twilio',
    '/webhooks/twilio/status/',
    '/Webhooks/twilio/status',
  ];
  for (const path of spellings) assert.ok(!isPublicRoute(path, '/graphql'), path);
});

test('a webhook goes to the routing URL host with its own path and query string', () => {
  assert.equal(
    webhookTarget('http://notifications:4004/graphql', '/webhooks/twilio/status', '?n=e-1%3Asms'),
    'http://notifications:4004/webhooks/twilio/status?n=e-1%3Asms',
  );
  assert.equal(
    webhookTarget('http://payments:4003/graphql', '/webhooks/stripe', ''),
    'http://payments:4003/webhooks/stripe',
  );
});
