// One upstream subscription for identical client subscriptions.
//
// Ten browser tabs watching the same order with the same token ask the subgraph the same
// question: without sharing, the subgraph registers, authorizes, executes and sends each event
// ten times and the gateway reads it ten times. Here client subscriptions with the same
// subgraph, document, variables and Authorization (the connection_init the WebSocket transport
// sends upstream) share one upstream subscription; each event is copied to every one of them.
// Apollo Router does the same (`subscription.deduplication`, on by default).
//
// Because the key includes the token, a subscriber only ever joins a stream that was opened,
// and authorized by the subgraph, with its own token: what one user sees never reaches another,
// and a stream the subgraph ends (the token expired, the order is not yours) ends for all who
// share it, exactly as it would have ended for each. A subscriber receives the events after it
// joined, as with its own upstream subscription; one asking for the past also those before.
//
// A subscription that asks for the past (a field of the operation is given a `since` argument
// that is not null, inline, by a variable or by the variable's default:
// `orderStatusChanged(orderId, since)` first sends the stored changes after `since`, then the
// live ones) is shared too, but its stream keeps the results it has delivered (its history) and
// a subscriber joining later first receives that history, then the live results. That is what
// its own upstream subscription would send: the same `since`, so the same stored changes after
// it, and each change the stream delivered since then is stored too and would be in that
// catch-up. The history is kept up to MAX_BEHIND results: once a stream has delivered more, a
// subscriber with its key gets an upstream subscription of its own instead of joining (still
// counted by the stats and completed by `completeAll`). A subscription without `since` keeps no
// history and replays nothing.
import type { GatewayPlugin } from '@graphql-hive/gateway';
import type { ExecutionRequest, ExecutionResult, Executor } from '@graphql-tools/utils';
import { Kind, print, visit, type DocumentNode, type ValueNode } from 'graphql';

/**
 * Events a subscriber may fall behind (the WebSocket server reads them as fast as the
 * client's socket takes them); past that it is ended with an error instead of buffering more.
 */
export const MAX_BEHIND = 100;

/** Counts read by the gateway's /metrics. */
export type SharingStats = {
  /** Client subscriptions being served from an upstream subscription (shared or their own). */
  subscribers(): number;
  /** Upstream subscriptions open (or opening) to the subgraphs. */
  upstreams(): number;
};

type Result = ExecutionResult;
type Source = AsyncIterable<Result> | Result;

function isStream(value: Source): value is AsyncIterable<Result> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/** A result of its own for each subscriber (the gateway may annotate the objects it gets). */
function copy(result: Result): Result {
  return {
    ...result,
    ...(result.data ? { data: structuredClone(result.data) } : {}),
    ...(result.errors ? { errors: [...result.errors] } : {}),
  };
}

/** One subscriber's events: pushed by the shared stream, pulled by the WebSocket server. */
class Subscriber implements AsyncIterableIterator<Result> {
  private readonly pending: Result[];
  private waiting?: { resolve(r: IteratorResult<Result>): void; reject(e: unknown): void };
  private done = false;
  private failure: unknown;

  /** `replayed`: the results it receives first (the history of the stream it joins). */
  constructor(
    private readonly leave: (s: Subscriber) => void,
    replayed: readonly Result[] = [],
  ) {
    this.pending = replayed.map(copy);
  }

  push(result: Result): void {
    if (this.done) return;
    if (this.waiting) {
      const { resolve } = this.waiting;
      this.waiting = undefined;
      resolve({ value: copy(result), done: false });
    } else if (this.pending.length >= MAX_BEHIND) {
      this.end(new Error('Subscriber too slow: it fell too far behind the events.'));
      this.leave(this);
    } else {
      this.pending.push(copy(result));
    }
  }

  /** No more events: the upstream completed, or failed with `failure`. */
  end(failure?: unknown): void {
    if (this.done) return;
    this.done = true;
    const waiting = this.waiting;
    this.waiting = undefined;
    if (!waiting) this.failure = failure; // thrown by the next call of next()
    else if (failure === undefined) waiting.resolve({ value: undefined, done: true });
    else waiting.reject(failure);
  }

  next(): Promise<IteratorResult<Result>> {
    const value = this.pending.shift();
    if (value !== undefined) return Promise.resolve({ value, done: false });
    if (this.done) {
      const failure = this.failure;
      this.failure = undefined; // thrown once, then the iterator is simply done
      return failure === undefined
        ? Promise.resolve({ value: undefined, done: true })
        : Promise.reject(failure);
    }
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<Result>> {
    this.pending.length = 0;
    this.end();
    this.leave(this);
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/** One upstream subscription and the subscribers it feeds. */
class SharedStream {
  readonly subscribers = new Set<Subscriber>();
  private upstream?: AsyncIterator<Result>;
  private closed = false;
  /**
   * The results delivered so far, replayed to each subscriber that joins later; kept only when
   * the stream asks for the past, and no longer grown once past MAX_BEHIND (then no one joins).
   */
  private readonly history?: Result[];

  /** Starts the upstream subscription; resolves to what the subgraph answered. */
  readonly opened: Promise<Source>;

  constructor(
    executor: Executor,
    request: ExecutionRequest,
    private readonly forget: () => void,
    keepsHistory: boolean,
  ) {
    if (keepsHistory) this.history = [];
    this.opened = Promise.resolve()
      .then(() => executor(request) as Promise<Source> | Source)
      .then(
        (source) => {
          if (!isStream(source)) {
            this.forget(); // an answer instead of a stream: later subscribers ask again
            return source;
          }
          this.upstream = source[Symbol.asyncIterator]();
          if (this.closed) void this.upstream.return?.()?.catch(() => undefined); // completed
          else if (this.subscribers.size === 0) this.close(); // everyone left while it opened
          else void this.pump(this.upstream);
          return source;
        },
        (error: unknown) => {
          this.forget();
          throw error;
        },
      );
  }

  /**
   * A subscriber fed the history, then from now on; `undefined` once the stream is closing or
   * its history is too long to replay.
   */
  join(): Subscriber | undefined {
    if (this.closed || (this.history && this.history.length > MAX_BEHIND)) return undefined;
    const subscriber = new Subscriber((s) => this.leave(s), this.history);
    this.subscribers.add(subscriber);
    return subscriber;
  }

  /** Ends every subscriber (its client gets `complete`) and the upstream subscription. */
  complete(): void {
    for (const subscriber of this.subscribers) subscriber.end();
    this.subscribers.clear();
    this.close();
  }

  private leave(subscriber: Subscriber): void {
    this.subscribers.delete(subscriber);
    if (this.subscribers.size === 0 && this.upstream) this.close();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.forget();
    void this.upstream?.return?.()?.catch(() => undefined);
  }

  private async pump(upstream: AsyncIterator<Result>): Promise<void> {
    let failure: unknown;
    try {
      for (;;) {
        const { value, done } = await upstream.next();
        if (done || this.closed) break;
        if (this.history && this.history.length <= MAX_BEHIND) this.history.push(value);
        for (const subscriber of [...this.subscribers]) subscriber.push(value);
      }
    } catch (error) {
      failure = error;
    }
    this.closed = true;
    this.forget();
    for (const subscriber of this.subscribers) subscriber.end(failure);
    this.subscribers.clear();
  }
}

/** `derive` computed once per document (the gateway reuses a plan's documents). */
function perDocument<T>(derive: (document: DocumentNode) => T): (document: DocumentNode) => T {
  const derived = new WeakMap<DocumentNode, { value: T }>();
  return (document) => {
    let entry = derived.get(document);
    if (entry === undefined) {
      entry = { value: derive(document) };
      derived.set(document, entry);
    }
    return entry.value;
  };
}

const documentText = perDocument(print);

/** The argument by which a subscription asks for the events before it was opened. */
const PAST_ARGUMENT = 'since';

/** The values of the document's `since` arguments, and its variables' default values. */
const pastArguments = perDocument((document) => {
  const values: ValueNode[] = [];
  const defaults = new Map<string, ValueNode | undefined>();
  visit(document, {
    VariableDefinition(definition) {
      defaults.set(definition.variable.name.value, definition.defaultValue);
    },
    Field(field) {
      for (const argument of field.arguments ?? []) {
        if (argument.name.value === PAST_ARGUMENT) values.push(argument.value);
      }
    },
  });
  return { values, defaults };
});

/**
 * Whether a field of the request is given a `since` that is not null, inline or by a variable
 * (the gateway passes the argument's default, `null`, to a subgraph when the client left it out).
 */
function asksForThePast({ document, variables }: ExecutionRequest): boolean {
  const { values, defaults } = pastArguments(document);
  return values.some((value) => {
    if (value.kind !== Kind.VARIABLE) return value.kind !== Kind.NULL;
    const given: unknown = variables?.[value.name.value];
    if (given !== undefined) return given !== null;
    const fallback = defaults.get(value.name.value);
    return fallback !== undefined && fallback.kind !== Kind.NULL;
  });
}

/**
 * Shares subgraph subscriptions among identical client subscriptions. `authorizationOf` gives
 * the credential the upstream subscription is opened with (what the subgraph authorizes).
 */
export function useSharedSubscriptions(
  authorizationOf: (context: unknown) => string | undefined,
): GatewayPlugin & { stats: SharingStats; completeAll(): void } {
  const streams = new Map<string | symbol, SharedStream>();

  /** A stream under `key`, opened with `request` (not yet joined). */
  function open(
    key: string | symbol,
    executor: Executor,
    request: ExecutionRequest,
    keepsHistory: boolean,
  ): SharedStream {
    // Opened without the first subscriber's cancel signal: its leaving must not end the
    // stream for the others (the last one out closes it).
    const shared: ExecutionRequest = {
      ...request,
      signal: undefined,
      info: request.info && ({ ...request.info, signal: undefined } as typeof request.info),
    };
    const stream: SharedStream = new SharedStream(
      executor,
      shared,
      () => {
        if (streams.get(key) === stream) streams.delete(key);
      },
      keepsHistory,
    );
    streams.set(key, stream);
    return stream;
  }

  function subscribe(
    key: string | symbol,
    executor: Executor,
    request: ExecutionRequest,
    keepsHistory: boolean,
  ): Promise<Source> {
    const stream = streams.get(key) ?? open(key, executor, request, keepsHistory);
    const subscriber = stream.join();
    // Closing, or its history too long to replay: this one gets an upstream of its own.
    if (!subscriber) return subscribe(Symbol(), executor, request, false);
    return stream.opened.then(
      (source) => {
        if (isStream(source)) return subscriber;
        subscriber.return();
        return source;
      },
      (error: unknown) => {
        subscriber.return();
        throw error;
      },
    );
  }

  return {
    stats: {
      subscribers: () => {
        let count = 0;
        for (const stream of streams.values()) count += stream.subscribers.size;
        return count;
      },
      upstreams: () => streams.size,
    },
    /** Ends every client subscription (`complete`; a draining gateway: edge/drain.ts). */
    completeAll() {
      for (const stream of [...streams.values()]) stream.complete();
    },
    onSubgraphExecute({ subgraphName, executionRequest, executor, setExecutor }) {
      if (executionRequest.operationType !== 'subscription') return;
      // The key describes the request the executor is given (a later plugin may replace it):
      // everything the transport sends upstream, extensions and connection params included.
      setExecutor((request) => {
        const key = JSON.stringify([
          subgraphName,
          documentText(request.document),
          request.operationName ?? null,
          request.variables ?? {},
          request.extensions ?? null,
          authorizationOf(request.context) ?? null,
        ]);
        return subscribe(key, executor, request, asksForThePast(request));
      });
    },
  };
}
