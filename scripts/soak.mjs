#!/usr/bin/env node
// `npm run soak -- --minutes 30 [--seed N] [--report FILE]`: three tills selling against the hub under
// network, process and database faults (apps/pos-desktop/test/soak/soak.soak.ts), then every sale checked
// end to end. The JSON report goes to --report (default ./soak-report.json) and to stdout.
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    seed: { type: 'string' },
    report: { type: 'string', default: 'soak-report.json' },
  },
  strict: true,
});
const minutes = Number(values.minutes);
if (!Number.isFinite(minutes) || minutes <= 0 || minutes > 24 * 60) {
  console.error('soak: --minutes must be a number of minutes above 0 (at most a day)');
  process.exit(2);
}
if (values.seed !== undefined && !/^\d+$/.test(values.seed)) {
  console.error('soak: --seed must be a whole number (the one a report printed, to replay its faults)');
  process.exit(2);
}
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = spawnSync('npx', ['vitest', 'run', '--config', 'vitest.soak.config.ts'], {
  cwd: join(root, 'apps', 'pos-desktop'),
  stdio: 'inherit',
  env: {
    ...process.env,
    SOAK_MINUTES: String(minutes),
    SOAK_REPORT: resolve(values.report),
    ...(values.seed === undefined ? {} : { SOAK_SEED: values.seed }),
  },
});
process.exit(run.status ?? 1);
