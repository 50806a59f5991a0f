// Retries of a subgraph request whose connection failed before any answer came back.
//
// A subgraph process that stops (a rolling restart, `make rollout`) closes its listener and its
// idle keep-alive connections: a request the gateway sends at that moment meets a refused or
// reset connection, although the service's other process is serving. Sent again on a new
// connection it reaches that one. Only what is safe to send twice is retried: queries, and
// mutations that carry an idempotency key (in their variables or written in the document;
// `createOrder`, `processPayment`, `refundPayment` return what the first one did). A
// subscription is never retried here (its client resubscribes), nor anything that got an HTTP
// answer, an error status included: the subgraph saw that request.
//
// Hive Gateway's `upstreamRetry` runs it; its default would retry every failed request,
// mutations without a key included.
import type { ExecutionRequest, ExecutionResult } from '@graphql-tools/utils';
import { Kind, visit, type DocumentNode, type ValueNode } from 'graphql';

/** What a failed connection reports (Node's socket errors, undici's). */
const CONNECTION_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);
const CONNECTION_MESSAGES = /socket hang up|other side closed|ECONNRESET|ECONNREFUSED/i;

/** Attempts after the first, and the wait before the first of them (then doubling). */
export const MAX_RETRIES = 3;
export const RETRY_DELAY_MS = 25;

const KEY_FIELD = 'idempotencyKey';

function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current = error;
  while (current && typeof current === 'object' && chain.length < 8) {
    chain.push(current);
    const next = current as { originalError?: unknown; cause?: unknown };
    current = next.originalError ?? next.cause;
  }
  return chain;
}

/** True when `error` (or what caused it) is a refused, reset or closed connection. */
export function isConnectionError(error: unknown): boolean {
  return causes(error).some((e) => {
    const { code, message } = e as { code?: unknown; message?: unknown };
    return (
      (typeof code === 'string' && CONNECTION_ERRORS.has(code)) ||
      (typeof message === 'string' && CONNECTION_MESSAGES.test(message))
    );
  });
}

function hasKeyValue(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasKeyValue);
  if (value === null || typeof value !== 'object') return false;
  return Object.entries(value).some(
    ([name, inner]) =>
      (name === KEY_FIELD && typeof inner === 'string' && inner.trim() !== '') ||
      hasKeyValue(inner),
  );
}

/** True when the operation passes a non-empty idempotency key, as a variable or a literal. */
export function carriesIdempotencyKey(
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
): boolean {
  if (hasKeyValue(variables)) return true;
  let found = false;
  const given = (value: ValueNode): boolean =>
    (value.kind === Kind.STRING && value.value.trim() !== '') ||
    (value.kind === Kind.VARIABLE && hasKeyValue({ [KEY_FIELD]: variables?.[value.name.value] }));
  visit(document, {
    Argument(node) {
      if (node.name.value === KEY_FIELD && given(node.value)) found = true;
    },
    ObjectField(node) {
      if (node.name.value === KEY_FIELD && given(node.value)) found = true;
    },
  });
  return found;
}

function operationType(request: ExecutionRequest): string | undefined {
  if (request.operationType) return request.operationType;
  const operation = request.document.definitions.find(
    (d) => d.kind === Kind.OPERATION_DEFINITION,
  );
  return operation?.kind === Kind.OPERATION_DEFINITION ? operation.operation : undefined;
}

/** Whether a subgraph request may be sent again after its connection failed. */
export function safeToRetry(request: ExecutionRequest): boolean {
  const type = operationType(request);
  if (type === 'query') return true;
  return type === 'mutation' && carriesIdempotencyKey(request.document, request.variables);
}

type Retry = {
  executionRequest: ExecutionRequest;
  executionResult: unknown;
  response?: Response;
};

/** Retry when no answer came back and the connection failed. */
export function connectionFailed({ executionResult, response }: Retry): boolean {
  if (response) return false;
  const errors = (executionResult as ExecutionResult | undefined)?.errors;
  return Boolean(errors?.length) && errors!.every(isConnectionError);
}

/** Hive Gateway's `upstreamRetry` option: connection failures of what is safe to repeat. */
export function retryConnectionErrors({ executionRequest }: { executionRequest: ExecutionRequest }) {
  if (!safeToRetry(executionRequest)) return undefined;
  return {
    maxRetries: MAX_RETRIES,
    retryDelay: RETRY_DELAY_MS,
    retryDelayFactor: 2,
    shouldRetry: connectionFailed,
  };
}
