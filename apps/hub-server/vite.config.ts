import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The HQ dashboard build. The hub serves it at `/` and falls back to index.html for client routes
 * (`/orders/W-12`), so assets are referenced from the root (`base: '/'`), not relative to the route.
 */
export default defineConfig({
  root: fileURLToPath(new URL('./src/dashboard', import.meta.url)),
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist/dashboard', import.meta.url)),
    emptyOutDir: true,
    target: 'chrome120',
    // Source maps would hand anyone who can reach the hub the dashboard's source; none are built.
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
  },
});
