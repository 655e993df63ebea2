#!/usr/bin/env -S node --min-semi-space-size=16 --max-semi-space-size=32
// The installed `pos-store` command: runs the bundled CLI (build it with `npm run build -w @retail/pos-desktop`).
// The V8 flags are the store node's young generation (src/main/node-launcher.ts STORE_NODE_V8_FLAGS): a
// shebang is the one place a command can give them to its own process.
import '../dist/cli.js';
