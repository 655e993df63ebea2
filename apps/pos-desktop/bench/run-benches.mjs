#!/usr/bin/env node
// The store node's benchmarks, one after another (never in parallel: they measure the machine).
// BENCH_NAMES (comma-separated) runs only those; `npm run bench -- store-size` at the repository root sets
// it. store-size (a year of sales through the engine, several minutes of CPU) runs only when named, so the
// whole `npm run bench` stays within its 15 minutes.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BENCHES = [
  { name: 'store-node', file: 'bench/store-node.bench.ts' },
  { name: 'scan-to-line', file: '../../e2e/bench/scan-to-line.bench.ts' },
  { name: 'sync', file: 'bench/sync.bench.ts' },
  { name: 'store-size', file: 'bench/store-size.bench.ts', onlyWhenNamed: true },
];
const wanted = (process.env.BENCH_NAMES ?? '').split(',').filter((name) => name !== '');
const unknown = wanted.filter((name) => !BENCHES.some((bench) => bench.name === name));
if (unknown.length > 0) {
  console.error(
    `Unknown store node benchmark ${unknown.join(', ')}; there are ${BENCHES.map((b) => b.name).join(', ')}.`,
  );
  process.exit(2);
}
const chosen = BENCHES.filter((bench) =>
  wanted.length === 0 ? !bench.onlyWhenNamed : wanted.includes(bench.name),
);
for (const bench of chosen) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', bench.file], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stdio: 'inherit',
  });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
