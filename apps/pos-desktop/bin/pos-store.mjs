#!/usr/bin/env node
// The installed `pos-store` command: runs the bundled CLI (build it with `npm run build -w @retail/pos-desktop`).
import '../dist/cli.js';
