#!/usr/bin/env node
// Bundles the Electron shell: the main process (dist/main/main.cjs), the store node process it supervises
// (dist/main/store-node.cjs, next to dist/migrations from build-cli.mjs) and the sandboxed preload
// (dist/preload/preload.cjs). Usage: node scripts/build-desktop.mjs [OUTDIR]   (default: dist)
//
// Main and store node run in Node environments (CommonJS, __filename defined). The engine finds its
// migrations (and the CLI the renderer) relative to `import.meta.url`, written for dist/cli.js; in these
// bundles it is the URL of a file in dist/ too, so both resolve to dist/migrations and dist/renderer. The preload does not: Electron runs a
// sandboxed preload as the body of `function (require, process, exports, module, Buffer, global,
// setImmediate, clearImmediate)` in the page's isolated world, with no __filename or __dirname, and its
// `require` knows only electron's renderer modules, events, timers and url. So the preload is bundled for
// the browser with nothing but `electron` left to require, and the build fails if it needs anything more.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const app = resolve(new URL('..', import.meta.url).pathname);
const dist = resolve(app, process.argv[2] ?? 'dist');
mkdirSync(join(dist, 'main'), { recursive: true });
mkdirSync(join(dist, 'preload'), { recursive: true });

/** What a sandboxed preload's require() can load (Electron's lib/sandboxed_renderer/init.ts). */
const SANDBOXED_PRELOAD_MODULES = [
  'electron',
  'electron/common',
  'electron/renderer',
  'events',
  'node:events',
  'timers',
  'node:timers',
  'url',
  'node:url',
];

const nodeBundle = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  define: { 'import.meta.url': '__bundle_file_url' },
  banner: {
    js: "const __bundle_file_url = require('node:url').pathToFileURL(require('node:path').join(__dirname, '..', 'bundle.js')).href;",
  },
};

/** Fails the preload build on any import a sandboxed preload could not require at run time. */
const sandboxedPreloadImports = {
  name: 'sandboxed-preload-imports',
  setup(builder) {
    builder.onResolve({ filter: /^[^./]/ }, (args) => {
      if (SANDBOXED_PRELOAD_MODULES.includes(args.path)) return { path: args.path, external: true };
      if (args.path.startsWith('@retail/')) return undefined;
      return {
        errors: [
          {
            text: `The sandboxed preload cannot require ${JSON.stringify(args.path)}: only ${SANDBOXED_PRELOAD_MODULES.join(', ')} exist there.`,
          },
        ],
      };
    });
  },
};

await Promise.all([
  build({
    ...nodeBundle,
    entryPoints: [join(app, 'src/main/main.ts')],
    outfile: join(dist, 'main', 'main.cjs'),
    // The pos-store CLI mode is in here too; its SQLite driver is loaded only in that mode.
    external: ['electron', 'better-sqlite3', 'bufferutil', 'utf-8-validate'],
  }),
  build({
    ...nodeBundle,
    entryPoints: [join(app, 'src/main/store-node-entry.ts')],
    outfile: join(dist, 'main', 'store-node.cjs'),
    external: ['better-sqlite3', 'bufferutil', 'utf-8-validate'],
  }),
  build({
    entryPoints: [join(app, 'src/preload/preload.ts')],
    outfile: join(dist, 'preload', 'preload.cjs'),
    bundle: true,
    platform: 'browser',
    // Electron 40 is Chromium 144.
    target: 'chrome140',
    format: 'cjs',
    sourcemap: true,
    logLevel: 'warning',
    plugins: [sandboxedPreloadImports],
  }),
]);
console.log(`built ${join(dist, 'main')} and ${join(dist, 'preload')}`);
