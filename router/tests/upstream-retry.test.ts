// Which subgraph requests the gateway sends again after a failed connection
// (edge/upstream-retry.ts). Run by `npm test` in router/.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createGraphQLError } from '@graphql-tools/utils';
import { parse } from 'graphql';
import {
  carriesIdempotencyKey,
  connectionFailed,
  isConnectionError,
  retryConnectionErrors,
  safeToRetry,
} from '../edge/upstream-retry.ts';

const CREATE = parse(
  'mutation($input: CreateOrderInput!) { createOrder(input: $input) { order { id } } }',
);

function request(query: string, variables?: Record<string, unknown>) {
  return { document: parse(query), variables };
}

function refused(): Error {
  const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4002'), {
    code: 'ECONNREFUSED',
  });
  return createGraphQLError('fetch failed to http://127.0.0.1:4002/graphql', {
    originalError: cause,
  });
}

test('queries are retried; mutations only with an idempotency key; subscriptions never', () => {
  assert.equal(safeToRetry(request('{ me { id } }')), true);
  assert.equal(safeToRetry(request('query Q { _entities(representations: []) { __typename } }')), true);
  assert.equal(safeToRetry(request('subscription { orderStatusChanged(orderId: "1") { id } }')), false);
  const keyed = { input: { items: [{ sku: 'SKU-MUG', quantity: 1 }], idempotencyKey: 'k-1' } };
  assert.equal(safeToRetry({ document: CREATE, variables: keyed }), true);
  assert.equal(safeToRetry({ document: CREATE, variables: { input: { items: [] } } }), false);
  assert.equal(
    safeToRetry({ document: CREATE, variables: { input: { idempotencyKey: '  ' } } }),
    false,
  );
  assert.equal(safeToRetry(request('mutation { logout { ok } }')), false);
});

test('a key written in the document counts, as a literal or a variable', () => {
  const literal = parse('mutation { createOrder(input: {items: [], idempotencyKey: "k"}) { order { id } } }');
  assert.equal(carriesIdempotencyKey(literal, undefined), true);
  const variable = parse(
    'mutation($k: String) { createOrder(input: {items: [], idempotencyKey: $k}) { order { id } } }',
  );
  assert.equal(carriesIdempotencyKey(variable, { k: 'k-2' }), true);
  assert.equal(carriesIdempotencyKey(variable, { k: null }), false);
});

test('only a failed connection without an answer is retried', () => {
  assert.equal(isConnectionError(refused()), true);
  const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
  assert.equal(isConnectionError(createGraphQLError('socket hang up', { originalError: reset })), true);
  assert.equal(isConnectionError(createGraphQLError('Order not found')), false);
  const executionRequest = { document: CREATE };
  assert.equal(connectionFailed({ executionRequest, executionResult: { errors: [refused()] } }), true);
  const answered = new Response('', { status: 502 });
  assert.equal(
    connectionFailed({ executionRequest, executionResult: { errors: [refused()] }, response: answered }),
    false,
  );
  assert.equal(
    connectionFailed({ executionRequest, executionResult: { errors: [createGraphQLError('boom')] } }),
    false,
  );
  assert.equal(connectionFailed({ executionRequest, executionResult: { data: {} } }), false);
});

test('the gateway option turns retries on for safe requests only', () => {
  assert.equal(retryConnectionErrors({ executionRequest: { document: CREATE } }), undefined);
  const options = retryConnectionErrors({ executionRequest: request('{ me { id } }') });
  assert.equal(options?.maxRetries, 3);
});
