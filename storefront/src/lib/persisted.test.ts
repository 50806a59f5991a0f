import { Kind, type DocumentNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import manifest from '../gql/persisted-documents.json';
import { documentHash } from './apollo';
import { parseConfig, websocketUrl } from './config';

// Every module that may declare operations: each sits next to the component that sends it.
const modules = import.meta.glob<Record<string, unknown>>(
  ['../**/*.{ts,tsx}', '!../gql/**', '!../**/*.test.ts', '!../main.tsx'],
  { eager: true },
);

function isOperation(value: unknown): value is DocumentNode {
  const definitions = (value as Partial<DocumentNode> | null)?.definitions;
  return Array.isArray(definitions) && definitions.some((d) => d.kind === Kind.OPERATION_DEFINITION);
}

describe('persisted documents', () => {
  it('every operation the app exports carries its manifest hash, and the manifest holds no other', () => {
    const documents = Object.values(modules).flatMap((exports) => Object.values(exports).filter(isOperation));
    expect(documents.length).toBeGreaterThan(10);
    const hashes = documents.map(documentHash);
    expect(new Set(hashes).size).toBe(hashes.length);
    expect([...hashes].sort()).toEqual(Object.keys(manifest).sort());
  });

  it('an operation carries the fragments its components declare', () => {
    const order = Object.values(manifest).find((text) => /\bquery Order\(/.test(text));
    expect(order).toMatch(/fragment PaymentForm_order on Order/);
    expect(order).toMatch(/\.\.\.PaymentForm_order/);
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
