#!/usr/bin/env node
// Bundles the pos-hub CLI into dist/cli.js (what bin/pos-hub.mjs runs).
import { join, resolve } from 'node:path';
import { bundleHubCli } from './bundle-cli.mjs';

const app = resolve(new URL('..', import.meta.url).pathname);
const outfile = join(app, 'dist/cli.js');
await bundleHubCli(outfile, { sourcemap: true });
console.log(`built ${outfile}`);
