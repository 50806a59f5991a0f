// Persisted documents (trusted documents): operations known ahead of time, sent by hash.
//
// A manifest is a JSON object {"<sha256 hex>": "<document>"} (GraphQL Code Generator's
// persisted-documents file); the gateway reads one per web app and merges them
// (GATEWAY_PERSISTED_DOCUMENTS, comma separated, default the storefront's and the back office's
// src/gql/persisted-documents.json from router/, and router/persisted-retired.json: documents an
// earlier release retired that its still open tabs may send), once at start-up. A
// client names a document with Apollo's `extensions.persistedQuery.sha256Hash` or with
// `documentId` (the GraphQL-over-HTTP draft's field).
//
// - Development (GATEWAY_PERSISTED_DOCUMENTS_ONLY=false, the default): known hashes run their
//   document; any other document runs too (the IDE, tests). An unknown hash is
//   PERSISTED_QUERY_NOT_FOUND, the answer on which Apollo Client's persisted-query link
//   resends the full document. A missing manifest file is an empty list.
// - Safelisting (GATEWAY_PERSISTED_DOCUMENTS_ONLY=true, production): only the manifest's
//   documents run, by hash (PERSISTED_QUERY_NOT_IN_LIST otherwise) or as the exact same text
//   (QUERY_NOT_IN_SAFELIST otherwise), like Apollo Router's safelist with require_id off. A
//   missing or malformed manifest stops the gateway at start-up.
//
// Apollo Router gets the same manifest in its own format (router/persisted-queries.json, made
// by tools/persisted-queries.mjs) for router.graphos.yaml.
//
// Hive Gateway's `persistedDocuments` option with a custom store (`getPersistedOperation`,
// `allowArbitraryDocuments`; @graphql-yoga/plugin-persisted-operations) was tried and does not
// replace this: when safelisting it refuses a listed document sent as full text; it throws its
// refusals, which over the WebSocket server close the whole connection (4500) instead of ending
// one operation; and being one of the gateway's own plugins it runs before any plugin here
// could turn a listed text into its hash for it.
import { existsSync, readFileSync } from 'node:fs';
import type { GatewayPlugin } from '@graphql-hive/gateway';
import { GraphQLError, parse } from 'graphql';

export interface PersistedDocuments {
  /** sha256 hex -> document */
  byHash: Map<string, string>;
  /** the documents' exact texts (safelisting accepts a known document sent in full) */
  texts: Set<string>;
}

const HASH = /^[0-9a-f]{64}$/;

/** Reads, checks and merges the manifests; throws with a readable reason when one cannot be used. */
export function loadPersistedDocuments(paths: string | readonly string[], only: boolean): PersistedDocuments {
  const list = typeof paths === 'string' ? [paths] : paths;
  if (only && list.length === 0) {
    throw new Error('GATEWAY_PERSISTED_DOCUMENTS_ONLY is on but GATEWAY_PERSISTED_DOCUMENTS names no manifest.');
  }
  const merged = { byHash: new Map<string, string>(), texts: new Set<string>() };
  for (const path of list) {
    for (const [hash, document] of loadManifest(path, only).byHash) {
      merged.byHash.set(hash, document);
      merged.texts.add(document);
    }
  }
  return merged;
}

function loadManifest(path: string, only: boolean): PersistedDocuments {
  const empty = { byHash: new Map<string, string>(), texts: new Set<string>() };
  if (!existsSync(path)) {
    if (only) {
      throw new Error(
        `GATEWAY_PERSISTED_DOCUMENTS_ONLY is on but the persisted documents manifest ${path} ` +
          'does not exist: run the web apps\' codegen (it writes the manifests) or set ' +
          'GATEWAY_PERSISTED_DOCUMENTS to the manifest files.',
      );
    }
    return empty;
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`persisted documents manifest ${path} is not JSON: ${String(error)}`);
  }
  if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest)) {
    throw new Error(`persisted documents manifest ${path} must be a JSON object {hash: document}`);
  }
  for (const [hash, document] of Object.entries(manifest)) {
    if (!HASH.test(hash)) {
      throw new Error(`persisted documents manifest ${path}: ${hash} is not a sha256 hex digest`);
    }
    if (typeof document !== 'string') {
      throw new Error(`persisted documents manifest ${path}: the document of ${hash} is no string`);
    }
    try {
      parse(document, { noLocation: true });
    } catch (error) {
      throw new Error(`persisted documents manifest ${path}: ${hash} does not parse: ${error}`);
    }
    empty.byHash.set(hash, document);
    empty.texts.add(document);
  }
  return empty;
}

/** The hash a request names, Apollo's way or the GraphQL-over-HTTP draft's. */
export function documentIdOf(params: Record<string, unknown>): string | undefined {
  const extensions = params.extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined;
  const apollo = extensions?.persistedQuery?.sha256Hash;
  if (typeof apollo === 'string') return apollo;
  const documentId = params.documentId;
  if (typeof documentId === 'string') {
    // `sha256:<hash>` is the draft's prefixed form.
    return documentId.startsWith('sha256:') ? documentId.slice('sha256:'.length) : documentId;
  }
  return undefined;
}

export function usePersistedDocuments(documents: PersistedDocuments, only: boolean): GatewayPlugin {
  return {
    // Refusals are results, not thrown errors: over a WebSocket a thrown error would close the
    // whole connection (4500) instead of ending one operation with its errors.
    onParams({ params, setParams, setResult }) {
      const { documentId, ...rest } = params as Record<string, unknown>;
      const refuse = (message: string, code: string) => {
        // The server's own parameter check runs after this hook and wants a string `query`
        // even though the result is already set (nothing is parsed or run).
        setParams({ ...rest, query: params.query ?? '' });
        setResult({ errors: [new GraphQLError(message, { extensions: { code } })] });
      };
      const id = documentIdOf(params as Record<string, unknown>);
      // The server refuses parameters it does not know: `documentId` is ours to consume.
      if (documentId !== undefined) setParams(rest);
      if (id !== undefined) {
        const document = documents.byHash.get(id);
        if (document !== undefined) {
          setParams({ ...rest, query: document });
          return;
        }
        if (!only && params.query) return; // Apollo's resend with the full document
        if (only) {
          refuse('This persisted document is not in the list.', 'PERSISTED_QUERY_NOT_IN_LIST');
        } else {
          // The exact message Apollo Client's persisted-query link resends on.
          refuse('PersistedQueryNotFound', 'PERSISTED_QUERY_NOT_FOUND');
        }
        return;
      }
      if (only && params.query && !documents.texts.has(params.query)) {
        refuse(
          'Only persisted documents run here: send a known document by its hash.',
          'QUERY_NOT_IN_SAFELIST',
        );
      }
    },
  };
}
