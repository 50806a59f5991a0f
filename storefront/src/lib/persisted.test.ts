import type { DocumentNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import * as operations from '../graphql/operations';
import manifest from '../gql/persisted-documents.json';
import { documentHash } from './apollo';
import { parseConfig, websocketUrl } from './config';

describe('persisted documents', () => {
  it('every operation the app sends carries its manifest hash', () => {
    const documents = Object.values(operations) as DocumentNode[];
    expect(documents.length).toBeGreaterThan(10);
    const hashes = documents.map(documentHash);
    for (const hash of hashes) expect(Object.keys(manifest)).toContain(hash);
    expect(new Set(hashes).size).toBe(hashes.length);
  });

  it('refuses a document that is not persisted', () => {
    expect(() => documentHash({ kind: 'Document', definitions: [] } as DocumentNode)).toThrow(/not a persisted/);
  });
});

describe('run-time config', () => {
  it('resolves the gateway URL and the subscription transport', () => {
    expect(parseConfig({ gatewayUrl: 'https://api.example.com/graphql', subscriptions: 'http' }, 'https://shop.example.com/')).toEqual({
      gatewayUrl: 'https://api.example.com/graphql',
      subscriptions: 'http',
    });
    expect(parseConfig({}, 'http://localhost:3000/cart')).toEqual({ gatewayUrl: 'http://localhost:3000/graphql', subscriptions: 'ws' });
    expect(websocketUrl('https://api.example.com/graphql')).toBe('wss://api.example.com/graphql');
    expect(websocketUrl('http://localhost:4000/graphql')).toBe('ws://localhost:4000/graphql');
  });
});
