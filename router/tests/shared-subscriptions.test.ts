// The sharing of upstream subscriptions, against an in-process upstream that records what it is
// asked. Run by `npm test` in router/ (and so by `make test`).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ExecutionRequest, ExecutionResult, Executor } from '@graphql-tools/utils';
import { parse } from 'graphql';
import { MAX_BEHIND, useSharedSubscriptions } from '../edge/shared-subscriptions.ts';

type Result = ExecutionResult;

/** An upstream subgraph: each subscription is a channel the test pushes events into. */
class Upstream {
  readonly opened: { request: ExecutionRequest; channel: Channel }[] = [];

  readonly executor: Executor = (request) => {
    const channel = new Channel();
    this.opened.push({ request, channel });
    return channel;
  };

  emit(event: Result): void {
    for (const { channel } of this.opened) channel.push(event);
  }
}

class Channel implements AsyncIterableIterator<Result> {
  private readonly queue: Result[] = [];
  private waiting?: { resolve(r: IteratorResult<Result>): void; reject(e: unknown): void };
  returned = false;
  private failure: unknown;

  push(event: Result): void {
    if (this.waiting) this.waiting.resolve({ value: event, done: false });
    else this.queue.push(event);
    this.waiting = undefined;
  }

  fail(error: Error): void {
    this.failure = error;
    this.waiting?.reject(error);
    this.waiting = undefined;
  }

  next(): Promise<IteratorResult<Result>> {
    if (this.failure) return Promise.reject(this.failure);
    const value = this.queue.shift();
    if (value) return Promise.resolve({ value, done: false });
    if (this.returned) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<Result>> {
    this.returned = true;
    this.waiting?.resolve({ value: undefined, done: true });
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

const DOCUMENT = parse('subscription S($id: ID!) { orderStatusChanged(orderId: $id) { status } }');

/** The executor the plugin puts in place for a subscription first seen as `seen`. */
function wrappedExecutor(
  plugin: ReturnType<typeof useSharedSubscriptions>,
  executor: Executor,
  seen: ExecutionRequest,
): Executor {
  let wrapped: Executor = executor;
  plugin.onSubgraphExecute!({
    subgraphName: 'orders',
    executionRequest: seen,
    executor,
    setExecutor: (e: Executor) => {
      wrapped = e;
    },
  } as never);
  return wrapped;
}

function setup() {
  const upstream = new Upstream();
  const plugin = useSharedSubscriptions(
    (context) => (context as { authorization?: string }).authorization,
  );
  /** A client subscription as the gateway would pass it to the orders subgraph. */
  async function subscribe(
    authorization: string,
    id = 'o-1',
    executor: Executor = upstream.executor,
  ): Promise<AsyncIterator<Result>> {
    const request: ExecutionRequest = {
      document: DOCUMENT,
      variables: { id },
      operationType: 'subscription' as ExecutionRequest['operationType'],
      context: { authorization },
    };
    const source = await wrappedExecutor(plugin, executor, request)(request);
    assert.ok(Symbol.asyncIterator in (source as object), 'a stream');
    return (source as AsyncIterable<Result>)[Symbol.asyncIterator]();
  }
  return { upstream, plugin, subscribe };
}

const paid = { data: { orderStatusChanged: { status: 'PAID' } } };
const refunded = { data: { orderStatusChanged: { status: 'REFUNDED' } } };

test('identical subscriptions share one upstream subscription; each gets every event', async () => {
  const { upstream, plugin, subscribe } = setup();
  const first = await subscribe('Bearer a');
  const second = await subscribe('Bearer a');
  assert.equal(upstream.opened.length, 1);
  assert.equal(plugin.stats.subscribers(), 2);
  assert.equal(plugin.stats.upstreams(), 1);

  upstream.emit(paid);
  const [a, b] = [await first.next(), await second.next()];
  assert.deepEqual(a, { value: paid, done: false });
  assert.deepEqual(b, { value: paid, done: false });
  assert.notEqual(a.value, b.value, 'each subscriber gets its own copy');
  assert.notEqual(a.value.data, b.value.data);
});

test('a subscriber that leaves does not end the others; the last one closes the upstream', async () => {
  const { upstream, plugin, subscribe } = setup();
  const first = await subscribe('Bearer a');
  const second = await subscribe('Bearer a');
  await first.return!();
  assert.equal(upstream.opened[0].channel.returned, false);

  upstream.emit(refunded);
  assert.deepEqual(await second.next(), { value: refunded, done: false });
  await second.return!();
  assert.equal(upstream.opened[0].channel.returned, true);
  assert.equal(plugin.stats.upstreams(), 0);
  assert.equal(plugin.stats.subscribers(), 0);

  await subscribe('Bearer a'); // a new one opens a new upstream subscription
  assert.equal(upstream.opened.length, 2);
});

test('another credential, order or document never shares', async () => {
  const { upstream, subscribe } = setup();
  await subscribe('Bearer a');
  await subscribe('Bearer b');
  await subscribe('Bearer a', 'o-2');
  assert.equal(upstream.opened.length, 3);
  assert.deepEqual(
    upstream.opened.map(({ request }) => [
      (request.context as { authorization: string }).authorization,
      request.variables?.id,
    ]),
    [
      ['Bearer a', 'o-1'],
      ['Bearer b', 'o-1'],
      ['Bearer a', 'o-2'],
    ],
  );
});

test('an answer instead of a stream reaches each subscriber; the next one asks again', async () => {
  const { plugin } = setup();
  const refused = { errors: [{ message: 'No such order.', extensions: { code: 'NOT_FOUND' } }] };
  let asked = 0;
  const refusing: Executor = async () => {
    asked += 1;
    await new Promise((resolve) => setTimeout(resolve, 5));
    return refused as never;
  };
  const request = {
    document: DOCUMENT,
    variables: { id: 'o-1' },
    operationType: 'subscription',
    context: { authorization: 'Bearer a' },
  } as unknown as ExecutionRequest;
  const executors: Executor[] = [];
  for (let i = 0; i < 2; i++) {
    plugin.onSubgraphExecute!({
      subgraphName: 'orders',
      executionRequest: request,
      executor: refusing,
      setExecutor: (e: Executor) => executors.push(e),
    } as never);
  }
  const answers = await Promise.all(executors.map((e) => e(request)));
  assert.deepEqual(answers, [refused, refused]);
  assert.equal(asked, 1, 'joined while the first was opening');
  assert.equal(plugin.stats.upstreams(), 0);
  await executors[0](request);
  assert.equal(asked, 2);
});

test('an upstream that fails ends every subscriber with its error', async () => {
  const { upstream, plugin, subscribe } = setup();
  const first = await subscribe('Bearer a');
  const second = await subscribe('Bearer a');
  upstream.opened[0].channel.fail(new Error('socket closed'));
  await assert.rejects(first.next(), /socket closed/);
  await assert.rejects(second.next(), /socket closed/);
  assert.deepEqual(await first.next(), { value: undefined, done: true });
  assert.equal(plugin.stats.upstreams(), 0);
});

test('a subscriber that falls too far behind is ended; the others go on', async () => {
  const { upstream, subscribe } = setup();
  const slow = await subscribe('Bearer a');
  const fast = await subscribe('Bearer a');
  for (let i = 0; i <= MAX_BEHIND; i++) {
    upstream.emit(paid);
    assert.deepEqual(await fast.next(), { value: paid, done: false });
  }
  for (let i = 0; i < MAX_BEHIND; i++) await slow.next(); // what it had kept
  await assert.rejects(slow.next(), /too slow/);
  upstream.emit(refunded);
  assert.deepEqual(await fast.next(), { value: refunded, done: false });
  assert.equal(upstream.opened[0].channel.returned, false);
});

function orderRequest(id: string, extra: Partial<ExecutionRequest> = {}): ExecutionRequest {
  return {
    document: DOCUMENT,
    variables: { id },
    operationType: 'subscription' as ExecutionRequest['operationType'],
    context: { authorization: 'Bearer a' },
    ...extra,
  };
}

test('the key is the request the executor is given, extensions included', async () => {
  const { upstream, plugin } = setup();
  // A later plugin replaced the request between the hook and the executor: o-2 is what is sent.
  await wrappedExecutor(plugin, upstream.executor, orderRequest('o-1'))(orderRequest('o-2'));
  await wrappedExecutor(plugin, upstream.executor, orderRequest('o-2'))(orderRequest('o-2'));
  assert.equal(upstream.opened.length, 1);
  assert.equal(upstream.opened[0].request.variables?.id, 'o-2');

  const withParams = orderRequest('o-2', { extensions: { connectionParams: { tenant: 'x' } } });
  await wrappedExecutor(plugin, upstream.executor, withParams)(withParams);
  assert.equal(upstream.opened.length, 2, 'other extensions are another upstream request');
});

test("the first subscriber's cancel signal does not reach the shared upstream", async () => {
  const { upstream, plugin } = setup();
  const cancel = new AbortController();
  const first = orderRequest('o-1', { signal: cancel.signal });
  await wrappedExecutor(plugin, upstream.executor, first)(first);
  assert.equal(upstream.opened.length, 1);
  assert.equal(upstream.opened[0].request.signal, undefined);
  assert.deepEqual(upstream.opened[0].request.variables, { id: 'o-1' });
});

const BY_VARIABLE = parse(`subscription S($id: ID!, $since: DateTime) {
  orderStatusChanged(orderId: $id, since: $since) { status } }`);

/** A client subscription to order o-1's changes: `document` with `variables` besides the id. */
function sinceRequest(variables: Record<string, unknown>, document = BY_VARIABLE) {
  return orderRequest('o-1', { document, variables: { id: 'o-1', ...variables } });
}

/** The client's stream for `request`, through the plugin. */
async function feed(
  plugin: ReturnType<typeof useSharedSubscriptions>,
  upstream: Upstream,
  request: ExecutionRequest,
): Promise<AsyncIterator<Result>> {
  const source = await wrappedExecutor(plugin, upstream.executor, request)(request);
  return (source as AsyncIterable<Result>)[Symbol.asyncIterator]();
}

const shipped = { data: { orderStatusChanged: { status: 'SHIPPED' } } };

test('identical subscriptions with since share one upstream; a later one gets the history first', async () => {
  const { upstream, plugin } = setup();
  const inline = parse(`subscription S($id: ID!) {
    orderStatusChanged(orderId: $id, since: "2026-01-01T00:00:00Z") { status } }`);
  for (const request of [sinceRequest({ since: '2026-01-01' }), sinceRequest({}, inline)]) {
    const before = upstream.opened.length;
    const first = await feed(plugin, upstream, request);
    const channel = upstream.opened[before].channel;
    channel.push(paid); // the catch-up
    assert.deepEqual(await first.next(), { value: paid, done: false });
    channel.push(refunded); // a live change
    assert.deepEqual(await first.next(), { value: refunded, done: false });

    const later = await feed(plugin, upstream, request);
    assert.equal(upstream.opened.length, before + 1, 'one upstream for both');
    assert.deepEqual(await later.next(), { value: paid, done: false });
    assert.deepEqual(await later.next(), { value: refunded, done: false });
    channel.push(shipped);
    assert.deepEqual(await first.next(), { value: shipped, done: false });
    assert.deepEqual(await later.next(), { value: shipped, done: false });

    const third = await feed(plugin, upstream, request);
    const replayed = [await third.next(), await third.next(), await third.next()];
    assert.deepEqual(replayed.map(({ value }) => value), [paid, refunded, shipped]);
    assert.notEqual(replayed[0].value, paid, 'each subscriber gets its own copy');
  }
  assert.equal(plugin.stats.upstreams(), 2);
  assert.equal(plugin.stats.subscribers(), 6);
});

test('a since given by the default of its variable asks for the past', async () => {
  const { upstream, plugin } = setup();
  const byDefault = parse(`subscription S($id: ID!, $since: DateTime = "2026-01-01T00:00:00Z") {
    orderStatusChanged(orderId: $id, since: $since) { status } }`);
  const first = await feed(plugin, upstream, sinceRequest({}, byDefault));
  upstream.emit(paid);
  assert.deepEqual(await first.next(), { value: paid, done: false });

  const later = await feed(plugin, upstream, sinceRequest({}, byDefault));
  assert.equal(upstream.opened.length, 1);
  assert.deepEqual(await later.next(), { value: paid, done: false });
});

test('without since (left out, null, or a null default) a later subscriber gets no replay', async () => {
  const { upstream, plugin } = setup();
  const nullDefault = parse(`subscription S($id: ID!, $since: DateTime = null) {
    orderStatusChanged(orderId: $id, since: $since) { status } }`);
  const requests = [orderRequest('o-1'), sinceRequest({ since: null })];
  for (const request of [...requests, sinceRequest({}, nullDefault)]) {
    const before = upstream.opened.length;
    const first = await feed(plugin, upstream, request);
    const channel = upstream.opened[before].channel;
    channel.push(paid);
    assert.deepEqual(await first.next(), { value: paid, done: false });

    const later = await feed(plugin, upstream, request);
    assert.equal(upstream.opened.length, before + 1, 'one upstream for both');
    channel.push(refunded);
    const next = await later.next();
    assert.deepEqual(next, { value: refunded, done: false }, 'not paid first');
    assert.deepEqual(await first.next(), { value: refunded, done: false });
  }
});

test('a stream whose history passed the bound takes no one new: they get their own upstream', async () => {
  const { upstream, plugin } = setup();
  const request = sinceRequest({ since: '2026-01-01' });
  const first = await feed(plugin, upstream, request);
  const shared = upstream.opened[0].channel;
  for (let i = 0; i < MAX_BEHIND; i++) {
    shared.push(paid);
    await first.next();
  }
  const atTheBound = await feed(plugin, upstream, request);
  assert.equal(upstream.opened.length, 1, 'a history of MAX_BEHIND is still replayed');
  for (let i = 0; i < MAX_BEHIND; i++) {
    assert.deepEqual(await atTheBound.next(), { value: paid, done: false });
  }

  shared.push(refunded);
  assert.deepEqual(await first.next(), { value: refunded, done: false });
  assert.deepEqual(await atTheBound.next(), { value: refunded, done: false });
  const beyond = await feed(plugin, upstream, request);
  assert.equal(upstream.opened.length, 2, 'its own upstream');
  assert.equal(plugin.stats.upstreams(), 2);
  assert.equal(plugin.stats.subscribers(), 3);
  upstream.opened[1].channel.push(shipped); // its own catch-up
  assert.deepEqual(await beyond.next(), { value: shipped, done: false });

  // The shared stream still goes on, and ends with its last subscriber.
  shared.push(shipped);
  assert.deepEqual(await first.next(), { value: shipped, done: false });
  await first.return!();
  await atTheBound.return!();
  assert.equal(shared.returned, true);
  assert.equal(upstream.opened[1].channel.returned, false);
  plugin.completeAll(); // the own one too
  assert.deepEqual(await beyond.next(), { value: undefined, done: true });
  assert.equal(upstream.opened[1].channel.returned, true);
  assert.equal(plugin.stats.upstreams(), 0);
});

test('completeAll (a draining gateway) completes every subscriber and closes the upstreams', async () => {
  const { upstream, plugin, subscribe } = setup();
  const first = await subscribe('Bearer a');
  const second = await subscribe('Bearer b');
  upstream.emit(paid);
  assert.deepEqual(await first.next(), { value: paid, done: false });
  assert.deepEqual(await second.next(), { value: paid, done: false });

  plugin.completeAll();

  // Each client's subscription ends (it gets `complete`), and so does each upstream one.
  assert.deepEqual(await first.next(), { value: undefined, done: true });
  assert.deepEqual(await second.next(), { value: undefined, done: true });
  assert.ok(upstream.opened.every(({ channel }) => channel.returned));
  assert.equal(plugin.stats.upstreams(), 0);
  assert.equal(plugin.stats.subscribers(), 0);
});
