// The default persisted documents list (edge/settings.ts, edge/persisted-documents.ts): the web
// apps' manifests and the retired documents an earlier release's open tabs may still send.
// Run by `npm test` in router/.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadPersistedDocuments } from '../edge/persisted-documents.ts';
import { loadEdgeSettings } from '../edge/settings.ts';

const router = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function manifest(path: string): Record<string, string> {
  return JSON.parse(readFileSync(resolve(router, path), 'utf8')) as Record<string, string>;
}

test('by default a safelisting gateway lists the app manifests and the retired documents', () => {
  const { paths } = loadEdgeSettings({}).persistedDocuments;
  assert.ok(paths.includes(resolve(router, 'persisted-retired.json')));
  const listed = loadPersistedDocuments(paths, true).byHash;
  const expected = {
    ...manifest('persisted-retired.json'),
    ...manifest('../storefront/src/gql/persisted-documents.json'),
    ...manifest('../backoffice/src/gql/persisted-documents.json'),
  };
  assert.deepEqual(Object.fromEntries(listed), expected);
});
