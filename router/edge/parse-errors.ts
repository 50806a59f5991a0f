// Errors about the request itself (a body that is not JSON) carry no internals: the GraphQL
// server adds the JSON parser's own exception (`extensions.originalError`, its name and message,
// which quotes the body back) to its answer; it is dropped here. That exception was also what
// kept the answer a 400 for `Accept: application/json` (the server answers such "spec" errors
// 200 otherwise), so the error's `http.spec` mark goes too: a malformed body is a 400 for every
// client.
import type { GatewayPlugin } from '@graphql-hive/gateway';

type Result = { errors?: readonly unknown[] };

/** Drops `extensions.originalError` from each error of `result` (in place). */
function scrub(result: unknown): void {
  if (Array.isArray(result)) {
    result.forEach(scrub);
    return;
  }
  const errors = (result as Result | null)?.errors;
  if (!Array.isArray(errors)) return;
  for (const error of errors) {
    const extensions = (error as { extensions?: Record<string, unknown> } | null)?.extensions;
    if (!extensions || !('originalError' in extensions)) continue;
    delete extensions.originalError;
    const http = extensions.http as { spec?: boolean } | undefined;
    if (http?.spec) delete http.spec;
  }
}

export const useNoInternalsInErrors: GatewayPlugin = {
  onResultProcess({ result }) {
    if (Symbol.asyncIterator in Object(result)) return;
    scrub(result);
  },
};
