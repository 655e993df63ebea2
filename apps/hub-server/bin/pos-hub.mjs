#!/usr/bin/env node
// The installed `pos-hub` command: runs the bundled CLI (build it with `npm run build -w @retail/hub-server`).
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(bundle)) {
  console.error('pos-hub is not built yet: run `npm run build -w @retail/hub-server` first.');
  process.exit(1);
}
await import(bundle.href);
