import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// The built app is plain files (dist/) served with a strict Content-Security-Policy: no inline
// script, so nothing here may inject one. The gateway URL is not built in: the server renders
// /config.json at run time. In `npm run dev`, public/config.json (if present) is served instead.
export default defineConfig({
  plugins: [react()],
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
