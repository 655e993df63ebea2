import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The renderer build. Relative asset paths (`base: './'`) let the same build be served by the store node
 * at `/` and loaded by the Electron shell from its app bundle.
 */
export default defineConfig({
  root: fileURLToPath(new URL('./src/renderer', import.meta.url)),
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'chrome120',
    // Lanes load the renderer over the store network: no source maps are built, so none are served.
    sourcemap: false,
    // One small app: a single chunk keeps the first paint on a lane to one request after index.html.
    chunkSizeWarningLimit: 1500,
  },
});
