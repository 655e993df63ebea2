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
    // Two small pages sharing one chunk of React and the shared contract: a lane's first paint is a few
    // requests after index.html.
    chunkSizeWarningLimit: 1500,
    // The till, and the customer display at /display (its own small page: none of the staff screens).
    rollupOptions: {
      input: {
        main: fileURLToPath(new URL('./src/renderer/index.html', import.meta.url)),
        display: fileURLToPath(new URL('./src/renderer/display/index.html', import.meta.url)),
      },
    },
  },
});
