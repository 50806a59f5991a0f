// Apollo Router's persisted-query manifest from the web apps' persisted documents, and the
// retired documents an earlier release's bundles may still send.
//
// In:  the manifests Hive Gateway reads, {"<sha256>": "<document>"} (GATEWAY_PERSISTED_DOCUMENTS,
//      comma separated, default the storefront's and the back office's
//      src/gql/persisted-documents.json from router/; merged; a missing file is an empty list;
//      the retired manifest, when listed there, is not an app's and is skipped).
// Out: router/persisted-queries.json, Apollo's format (`apollo-persisted-query-manifest`,
//      version 1: operations with id, name, type and body), the `local_manifests` file of
//      router.graphos.yaml: the apps' documents plus the retired ones.
//      router/persisted-retired.json (beside the Apollo manifest), {"<sha256>": "<document>"}
//      with sorted keys: every operation of the previous Apollo manifest that is no longer in
//      the apps' manifests, kept so that a browser tab still running the previous bundle is not
//      refused by a safelisting gateway. Hive Gateway lists it too (edge/settings.ts).
//      Both committed; tests/integration/test_persisted_queries.py fails when either is stale.
//
// Usage (from router/): node tools/persisted-queries.mjs [--check] [--prune-retired] [--out <file>]
//   --check:         write nothing; exit 1 when a committed file differs from what would be
//                    written (a retirement still pending included).
//   --prune-retired: drop the documents retired so far (once the release that stopped sending
//                    them is gone, docs/deployment.md); operations leaving in this very run are
//                    still retired, as the release now deployed sends them.
//   --out:           write the Apollo manifest there (and the retired one beside it) instead of
//                    router/.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kind, parse } from 'graphql';

const router = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = process.argv.indexOf('--out');
const target = out > 0 ? resolve(process.argv[out + 1]) : resolve(router, 'persisted-queries.json');
const retiredTarget = resolve(dirname(target), 'persisted-retired.json');
const sources = (
  process.env.GATEWAY_PERSISTED_DOCUMENTS ||
  '../storefront/src/gql/persisted-documents.json,../backoffice/src/gql/persisted-documents.json'
)
  .split(',')
  .map((path) => path.trim())
  .filter(Boolean)
  .map((path) => resolve(router, path))
  .filter((path) => path !== retiredTarget);

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

function readJson(path, fallback) {
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : fallback;
}

/** The retired documents: those retired before (unless pruned) and the previous manifest's
 * operations that left the apps' manifests, minus any an app lists again; sorted by hash. */
function retire(documents, previous, retiredBefore, prune) {
  const leaving = previous.filter(({ id }) => !(id in documents) && !(id in retiredBefore));
  const kept = prune ? [] : Object.entries(retiredBefore).filter(([id]) => !(id in documents));
  const retired = [...kept, ...leaving.map(({ id, body }) => [id, body])];
  retired.sort(([a], [b]) => a.localeCompare(b));
  return { retired: Object.fromEntries(retired), leaving };
}

const documents = Object.assign({}, ...sources.map((source) => readJson(source, {})));
const previous = readJson(target, { operations: [] }).operations;
const retiredBefore = readJson(retiredTarget, {});
const { retired, leaving } = retire(
  documents,
  previous,
  retiredBefore,
  process.argv.includes('--prune-retired'),
);
const text = `${JSON.stringify(apolloManifest({ ...retired, ...documents }), null, 2)}\n`;
const retiredText = `${JSON.stringify(retired, null, 2)}\n`;
if (process.argv.includes('--check')) {
  let stale = false;
  if (leaving.length > 0) {
    const names = leaving.map(({ id, name }) => `${name} (${id.slice(0, 12)})`).join(', ');
    console.error(`${retiredTarget} lacks operations that left the apps' manifests: ${names}`);
    stale = true;
  }
  for (const [path, expected] of [
    [target, text],
    [retiredTarget, retiredText],
  ]) {
    if ((existsSync(path) ? readFileSync(path, 'utf8') : '') !== expected) {
      console.error(`${path} is stale: run \`node tools/persisted-queries.mjs\` in router/`);
      stale = true;
    }
  }
  if (stale) process.exit(1);
} else {
  writeFileSync(target, text);
  writeFileSync(retiredTarget, retiredText);
  const count = Object.keys(retired).length;
  console.log(
    `wrote ${target} (${Object.keys(documents).length} operations from ${sources.join(', ')}; ` +
      `${count} retired, in ${retiredTarget})`,
  );
}
