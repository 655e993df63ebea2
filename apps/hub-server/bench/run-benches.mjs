#!/usr/bin/env node
// The hub's benchmarks, one after another (never in parallel: they measure the machine). BENCH_NAMES
// (comma-separated: ingest, order-storm, scale-out, push-cost) runs only those; `npm run bench -- scale-out` at the
// repository root sets it.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BENCHES = ['ingest', 'order-storm', 'scale-out', 'push-cost'];
const wanted = (process.env.BENCH_NAMES ?? '').split(',').filter((name) => name !== '');
const unknown = wanted.filter((name) => !BENCHES.includes(name));
if (unknown.length > 0) {
  console.error(`Unknown hub benchmark ${unknown.join(', ')}; there are ${BENCHES.join(', ')}.`);
  process.exit(2);
}
for (const name of BENCHES.filter((each) => wanted.length === 0 || wanted.includes(each))) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', `bench/${name}-bench.ts`], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stdio: 'inherit',
  });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
