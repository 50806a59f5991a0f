// The back office type-checks and bundles the storefront's shared modules (README.md, "Shared
// code"): both apps must pin the same versions, so TypeScript sees one Apollo Client and one React
// (it merges packages of the same name and version) and Vite's `dedupe` bundles exactly one.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

type Manifest = { dependencies: Record<string, string>; devDependencies: Record<string, string> };
const read = (path: string): Manifest => JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf-8')) as Manifest;

describe('the packages shared with the storefront', () => {
  const own = read('../../package.json');
  const storefront = read('../../../storefront/package.json');

  it('pins the same versions as the storefront', () => {
    expect(own.dependencies).toEqual(storefront.dependencies);
    expect(own.devDependencies).toEqual(storefront.devDependencies);
  });
});
