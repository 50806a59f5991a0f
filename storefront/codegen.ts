// GraphQL Code Generator (client preset): typed documents for every operation and fragment
// written with `graphql(...)` under src/ (each next to the component that sends or reads it),
// checked against the composed supergraph, and the persisted-documents manifest (sha256 of each
// operation as sent, its fragments and `__typename` selections included) that the gateway
// accepts by hash. Fragments are masked: a component sees the fields of its own fragment only,
// through `getFragmentData` (named so, not `useFragment`: it is a plain function, and Apollo
// Client has a hook of that name). Run: `npm run codegen` (`make storefront-codegen`). The back
// office runs this same file (backoffice/codegen.ts): the paths are relative to the app running it.
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
        fragmentMasking: { unmaskFunctionName: 'getFragmentData' },
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
