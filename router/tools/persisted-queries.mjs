// Apollo Router's persisted-query manifest from the web apps' persisted documents.
//
// In:  the manifests Hive Gateway reads, {"<sha256>": "<document>"} (GATEWAY_PERSISTED_DOCUMENTS,
//      comma separated, default the storefront's and the back office's
//      src/gql/persisted-documents.json from router/; merged; a missing file is an empty list).
// Out: router/persisted-queries.json, Apollo's format (`apollo-persisted-query-manifest`,
//      version 1: operations with id, name, type and body), the `local_manifests` file of
//      router.graphos.yaml. Committed; tests/integration/test_persisted_queries.py fails when stale.
//
// Usage (from router/): node tools/persisted-queries.mjs [--check] [--out <file>]
//   --check: write nothing; exit 1 when the committed file differs from what would be written.
//   --out:   write there instead of router/persisted-queries.json.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kind, parse } from 'graphql';

const router = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const sources = (
  process.env.GATEWAY_PERSISTED_DOCUMENTS ||
  '../storefront/src/gql/persisted-documents.json,../backoffice/src/gql/persisted-documents.json'
)
  .split(',')
  .map((path) => path.trim())
  .filter(Boolean)
  .map((path) => resolve(router, path));
const out = process.argv.indexOf('--out');
const target = out > 0 ? resolve(process.argv[out + 1]) : resolve(router, 'persisted-queries.json');

/** One entry per document: its single operation's name and type. */
function apolloManifest(documents) {
  const operations = Object.entries(documents)
    .map(([id, body]) => {
      if (!/^[0-9a-f]{64}$/.test(id)) throw new Error(`${id} is not a sha256 hex digest`);
      if (typeof body !== 'string') throw new Error(`the document of ${id} is not a string`);
      const definitions = parse(body, { noLocation: true }).definitions.filter(
        (definition) => definition.kind === Kind.OPERATION_DEFINITION,
      );
      if (definitions.length !== 1 || !definitions[0].name) {
        throw new Error(`document ${id} must hold exactly one named operation`);
      }
      const [operation] = definitions;
      return { id, name: operation.name.value, type: operation.operation, body };
    })
    .sort((a, b) => a.id.localeCompare(b.id));
  return { format: 'apollo-persisted-query-manifest', version: 1, operations };
}

const documents = Object.assign(
  {},
  ...sources.map((source) => (existsSync(source) ? JSON.parse(readFileSync(source, 'utf8')) : {})),
);
const text = `${JSON.stringify(apolloManifest(documents), null, 2)}\n`;
if (process.argv.includes('--check')) {
  const current = existsSync(target) ? readFileSync(target, 'utf8') : '';
  if (current !== text) {
    console.error(`${target} is stale: run \`node tools/persisted-queries.mjs\` in router/`);
    process.exit(1);
  }
} else {
  writeFileSync(target, text);
  console.log(`wrote ${target} (${Object.keys(documents).length} operations from ${sources.join(', ')})`);
}
