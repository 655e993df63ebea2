#!/usr/bin/env node
// The one test command: lint, typecheck, unit + integration (all workspaces), the 2-minute soak (three
// tills under network, process and database faults; `npm run soak -- --minutes 30` is the long one), the
// 2-minute chain simulator (20 tills, two hub processes on PostgreSQL, a midday outage, totals checked),
// browser e2e, then the README's first command (`npm start`) brought up and stopped in a scratch folder.
// Each step prints its runner's summary; the first failure stops the run with a non-zero exit.
import { spawnSync } from 'node:child_process';

const steps = [
  ['lint', 'npm', ['run', 'lint']],
  ['typecheck', 'npm', ['run', 'typecheck']],
  ['unit + integration', 'npx', ['turbo', 'run', 'test', '--concurrency=1', '--output-logs=full']],
  ['soak (3 tills, faults, 2 min)', 'npm', ['run', 'soak', '--', '--minutes', '2']],
  [
    'chain simulator (10 stores × 2 tills, 2 hub processes, outage, ~2 min)',
    'npm',
    [
      'run',
      'simulate',
      '--',
      ...['--stores', '10', '--tills', '2', '--hours', '8', '--speed', '480', '--sales-per-hour', '20'],
      // CI's PostgreSQL (.ci/run); without one the simulator starts a throwaway cluster of its own.
      ...(process.env.PG_URL ? ['--pg-url', process.env.PG_URL] : []),
    ],
  ],
  ['e2e (Playwright, Chromium)', 'npm', ['run', 'e2e']],
  ['npm start (hub + store node with demo data)', 'node', ['scripts/start-smoke.mjs']],
];

const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', FORCE_COLOR: process.env.FORCE_COLOR ?? '1' };
const results = [];
for (const [name, cmd, args] of steps) {
  const started = Date.now();
  console.log(`\n=== ${name} ===`);
  const run = spawnSync(cmd, args, { stdio: 'inherit', env });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  results.push({ name, ok: run.status === 0, seconds });
  if (run.status !== 0) break;
}
console.log('\n=== summary ===');
for (const r of results) console.log(`${r.ok ? 'PASS' : 'FAIL'}  ${r.name}  (${r.seconds}s)`);
process.exit(results.every((r) => r.ok) && results.length === steps.length ? 0 : 1);
