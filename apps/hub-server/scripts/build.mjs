#!/usr/bin/env node
// Bundles the pos-hub CLI (our TypeScript and the internal @retail packages) into dist/cli.js. npm
// dependencies stay external and load from node_modules: better-sqlite3 is native, pino starts worker
// threads by file name, and none of them need bundling to run.
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const app = resolve(new URL('..', import.meta.url).pathname);

// Every bare import except our own workspaces (which ship TypeScript source) stays external, including the
// dependencies of those workspaces (e.g. socket.io-client under @retail/sync).
const externalPackages = {
  name: 'external-packages',
  setup(context) {
    context.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@retail/') || args.path.startsWith('node:')
        ? undefined
        : { path: args.path, external: true },
    );
  },
};

await build({
  entryPoints: [join(app, 'src/cli.ts')],
  outfile: join(app, 'dist/cli.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  plugins: [externalPackages],
  logLevel: 'warning',
});
console.log(`built ${join(app, 'dist/cli.js')}`);
