// Subgraph errors: the ones a client is meant to see pass on as they are; anything else (a
// subgraph that cannot be reached, an error without a code, a code outside the contract) is
// replaced by a bare INTERNAL_SERVER_ERROR and logged with the original, so transport details
// (addresses, stack traces) never leave the gateway.
//
// Hive Gateway itself only masks errors that are not GraphQL errors; errors that come back from
// a subgraph, or that its transports build (e.g. "connect ECONNREFUSED 127.0.0.1:4001"), would
// otherwise reach the client word for word.
import type { GatewayPlugin } from '@graphql-hive/gateway';
import { GraphQLError, type ExecutionResult } from 'graphql';

/**
 * Codes of the public API contract (ARCHITECTURE.md) and the gateway limits. A subgraph that
 * gives clients a new code adds it here, or clients see INTERNAL_SERVER_ERROR instead.
 */
export const PUBLIC_CODES = new Set([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'RATE_LIMITED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'INTERNAL_SERVER_ERROR', // already masked by the subgraph
  'GRAPHQL_VALIDATION_FAILED',
  'GRAPHQL_PARSE_FAILED',
  'PERSISTED_QUERY_NOT_FOUND',
  'MAX_DEPTH_LIMIT',
  'MAX_ALIASES_LIMIT',
  'MAX_ROOT_FIELDS_LIMIT',
]);

const MESSAGE = 'Internal server error.';

type Log = { warn: (attrs: object, message: string) => void };

function mask(result: ExecutionResult, subgraph: string, log: Log): ExecutionResult | undefined {
  if (!result.errors?.length) return undefined;
  let changed = false;
  const errors = result.errors.map((error) => {
    const code = error.extensions?.code;
    if (typeof code === 'string' && PUBLIC_CODES.has(code)) return error;
    changed = true;
    log.warn({ subgraph, code, error: error.message, path: error.path }, 'masked a subgraph error');
    return new GraphQLError(MESSAGE, {
      path: error.path,
      extensions: { code: 'INTERNAL_SERVER_ERROR', serviceName: subgraph },
    });
  });
  return changed ? { ...result, errors } : undefined;
}

export function useSubgraphErrorMasking(): GatewayPlugin {
  return {
    onSubgraphExecute({ subgraphName, log }) {
      return ({ result, setResult }) => {
        if (Symbol.asyncIterator in result) {
          return {
            onNext({ result: next, setResult: setNext }) {
              const masked = mask(next, subgraphName, log);
              if (masked) setNext(masked);
            },
          };
        }
        const masked = mask(result, subgraphName, log);
        if (masked) setResult(masked);
        return undefined;
      };
    },
  };
}
