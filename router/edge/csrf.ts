// CSRF prevention, the rule of Apollo Router's default `csrf` configuration (router.yaml keeps
// it on there): a request a browser can send cross-site without a CORS preflight is refused
// with 400 CSRF_ERROR before anything runs, unless it carries a header only a preflighted
// request can carry. That is:
// - a POST whose Content-Type is missing, application/x-www-form-urlencoded,
//   multipart/form-data or text/plain (an HTML form, or fetch with `no-cors`);
// - a GET with a query string (a link, an <img>, a form with method=get);
// and neither `apollo-require-preflight` nor `x-apollo-operation-name` is set.
// Without it Hive Gateway runs a form-urlencoded POST, so any web page a visitor opens could
// make their browser run `register` (or any mutation) here. A JSON POST (what every GraphQL
// client sends) and the IDE page (a GET without a query string) are unaffected. The subgraphs
// apply the same rule (subgraphs/kernel/graphql/http.py).
import type { GatewayPlugin } from '@graphql-hive/gateway';
import { errorResponse } from './errors.ts';

const SIMPLE_CONTENT_TYPES = new Set([
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'text/plain',
]);
export const PREFLIGHT_HEADERS = ['apollo-require-preflight', 'x-apollo-operation-name'];

const MESSAGE =
  'This request was refused as a possible cross-site request forgery: send a Content-Type ' +
  'other than application/x-www-form-urlencoded, multipart/form-data or text/plain, or one of ' +
  `the headers ${PREFLIGHT_HEADERS.join(', ')}.`;

/** False for a request a browser could send cross-site without a preflight. */
export function isCsrfSafe(request: Request): boolean {
  const { method } = request;
  if (method === 'GET' && !new URL(request.url).search) return true; // the IDE page
  if (method !== 'GET' && method !== 'POST') return true; // preflighted, or refused later
  if (PREFLIGHT_HEADERS.some((name) => request.headers.has(name))) return true;
  const contentType = request.headers.get('content-type');
  if (contentType === null) return false;
  const mediaType = contentType.split(';', 1)[0]!.trim().toLowerCase();
  return !SIMPLE_CONTENT_TYPES.has(mediaType);
}

export function useCsrfPrevention(graphqlEndpoint: string): GatewayPlugin {
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== graphqlEndpoint || isCsrfSafe(request)) return;
      endResponse(errorResponse(fetchAPI, 400, MESSAGE, 'CSRF_ERROR'));
    },
  };
}
