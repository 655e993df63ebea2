#!/usr/bin/env node
// `npm run simulate -- --stores 200 --tills 3 --hours 8 --speed 60 [--pg-url URL] [--report FILE]`: a day
// of a chain's business against real hub processes on PostgreSQL, a midday hub outage included, then
// every till's totals checked against the hub (apps/pos-desktop/test/simulator/simulate.ts; every flag is
// documented in docs/performance.md, "Chain simulator"). Prints a JSON report; exits 1 when totals differ.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = spawnSync(
  process.execPath,
  ['--import', 'tsx', 'test/simulator/simulate.ts', ...process.argv.slice(2)],
  { cwd: join(root, 'apps', 'pos-desktop'), stdio: 'inherit' },
);
process.exit(run.status ?? 1);
