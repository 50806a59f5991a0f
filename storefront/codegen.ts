// GraphQL Code Generator (client preset): typed documents for every operation written with
// `graphql(...)` under src/, checked against the composed supergraph, and the persisted-documents
// manifest (sha256 of each document as sent, `__typename` selections included) that the
// gateway accepts by hash. Run: `npm run codegen` (`make storefront-codegen`).
import type { CodegenConfig } from '@graphql-codegen/cli';
import { createHash } from 'node:crypto';
import { addTypenameSelectionDocumentTransform } from '@graphql-codegen/client-preset';

/** Plain hex sha256 of the document text: the manifest key and Apollo's `sha256Hash`. */
const sha256 = (document: string): string => createHash('sha256').update(document).digest('hex');

const config: CodegenConfig = {
  schema: '../router/supergraph.graphql',
  documents: ['src/**/*.{ts,tsx}', '!src/gql/**/*', '!src/**/*.test.ts'],
  ignoreNoDocuments: false,
  generates: {
    'src/gql/': {
      preset: 'client',
      presetConfig: {
        fragmentMasking: false,
        persistedDocuments: { hashAlgorithm: sha256, mode: 'embedHashInDocument' },
      },
      documentTransforms: [addTypenameSelectionDocumentTransform],
      config: {
        scalars: { DateTime: 'string', Decimal: 'string' },
        enumsAsTypes: true,
        useTypeImports: true,
        avoidOptionals: { field: true, inputValue: false, object: false, defaultValue: false },
      },
    },
  },
};

export default config;
