import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The back office imports the storefront's shared modules (session, Apollo links, router, errors,
// components, styles) through the `@storefront` alias, never a copy (README.md, "Shared code").
// Those files sit under storefront/, so a bare import in them (`react`, `@apollo/client`) would
// resolve to storefront/node_modules: `dedupe` makes every such import resolve from this app's
// node_modules instead, so the bundle holds one React and one Apollo Client.
// As the storefront's: no inline script (strict CSP); the gateway URL comes from /config.json.
export default defineConfig({
  plugins: [react()],
  resolve: {
    alias: { '@storefront': fileURLToPath(new URL('../storefront/src', import.meta.url)) },
    dedupe: ['react', 'react-dom', '@apollo/client', 'graphql', 'graphql-ws', 'rxjs'],
  },
  server: { port: 3001, fs: { allow: ['..'] } },
  build: {
    target: 'es2022',
    sourcemap: false,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
