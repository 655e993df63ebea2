#!/usr/bin/env node
// Bundles the Electron shell: the main process (dist/main/main.cjs), the store node process it supervises
// (dist/main/store-node.cjs, next to dist/migrations from build-cli.mjs) and the sandboxed preload
// (dist/preload/preload.cjs). Electron loads CommonJS; the engine's `import.meta.url` is given the bundle's
// own file URL. Native better-sqlite3 stays external (electron-builder rebuilds it for Electron).
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const app = resolve(new URL('..', import.meta.url).pathname);
const dist = join(app, 'dist');
mkdirSync(join(dist, 'main'), { recursive: true });
mkdirSync(join(dist, 'preload'), { recursive: true });

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  define: { 'import.meta.url': '__bundle_file_url' },
  banner: { js: "const __bundle_file_url = require('node:url').pathToFileURL(__filename).href;" },
};

await Promise.all([
  build({
    ...common,
    entryPoints: [join(app, 'src/main/main.ts')],
    outfile: join(dist, 'main', 'main.cjs'),
    external: ['electron'],
  }),
  build({
    ...common,
    entryPoints: [join(app, 'src/main/store-node-entry.ts')],
    outfile: join(dist, 'main', 'store-node.cjs'),
    external: ['better-sqlite3', 'bufferutil', 'utf-8-validate'],
  }),
  build({
    ...common,
    entryPoints: [join(app, 'src/preload/preload.ts')],
    outfile: join(dist, 'preload', 'preload.cjs'),
    external: ['electron'],
  }),
]);
console.log(`built ${join(dist, 'main')} and ${join(dist, 'preload')}`);
