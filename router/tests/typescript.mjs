// Lets `node --test` load TypeScript (the same transpiler Hive Gateway loads its config with):
//   node --import ./tests/typescript.mjs --test tests/*.test.ts
import { register } from 'node:module';

register('@graphql-hive/importer/hooks', import.meta.url);
