#!/usr/bin/env node
// Bundles the pos-store CLI (engine, server, CLI) into one ESM file, dist/cli.js, next to the SQL
// migrations it reads at run time. better-sqlite3 stays external: it is a native module. Usage:
//   node scripts/build-cli.mjs [OUTDIR]   (default: dist)
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const app = resolve(new URL('..', import.meta.url).pathname);
const outdir = resolve(app, process.argv[2] ?? 'dist');
mkdirSync(outdir, { recursive: true });
rmSync(join(outdir, 'migrations'), { recursive: true, force: true });

await build({
  entryPoints: [join(app, 'src/cli.ts')],
  outfile: join(outdir, 'cli.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  // Optional native speed-ups of ws; never installed here, and ws works without them.
  external: ['better-sqlite3', 'bufferutil', 'utf-8-validate'],
  // Bundled CommonJS dependencies call require() for Node built-ins; give the ESM bundle one.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  logLevel: 'warning',
});

cpSync(join(app, 'src/engine/migrations'), join(outdir, 'migrations'), {
  recursive: true,
  filter: (source) => !source.endsWith('.ts'),
});
console.log(`built ${join(outdir, 'cli.js')} and ${join(outdir, 'migrations')}`);
