import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** The local stack's API origin, which the dev server stands in front of (`PORT` of `npm start`). */
const apiOrigin = `http://localhost:${process.env.MUSTER_API_PORT ?? '3000'}`;
const apiPaths = ['/v1', '/api', '/internal', '/_local', '/openapi.json', '/health'];

// The console is served by the API's own origin under /console/, so every API call is same-origin
// and the session cookie and CSRF cookie need no CORS. The dev server proxies the API to keep that true.
export default defineConfig({
  root: import.meta.dirname,
  base: '/console/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  server: {
    port: 5173,
    proxy: Object.fromEntries(apiPaths.map((path) => [path, { target: apiOrigin, changeOrigin: false }])),
  },
});
