#!/usr/bin/env node
// Runs every workspace's `bench` script one after another (never in parallel: they measure the machine)
// and prints one JSON document with all results. Each benchmark prints its own JSON on stdout: the
// figure, the physical baseline measured in the same run, and their ratio.
//
// It builds first (`npm run build`), because the benchmarks that start processes run the built CLIs.
// `npm run bench -- <workspace>` runs one workspace's benchmarks (e.g. `pos-desktop`); a name that is no
// workspace names a benchmark of a workspace that lists its benchmarks in `benchNames` (package.json),
// e.g. `npm run bench -- scale-out` runs only the hub's scale-out benchmark.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, totalmem } from 'node:os';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv.slice(2);
const all = ['packages', 'apps']
  .flatMap((dir) => readdirSync(join(root, dir)).map((name) => join(root, dir, name)))
  .filter((dir) => existsSync(join(dir, 'package.json')))
  .map((dir) => ({ dir, pkg: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
  .filter(({ pkg }) => pkg.scripts?.bench);
const benchNames = only.filter((o) => all.some(({ pkg }) => pkg.benchNames?.includes(o)));
const unknown = only.filter((o) => !benchNames.includes(o) && !all.some(({ pkg }) => pkg.name.includes(o)));
if (unknown.length > 0) {
  console.error(`# no workspace or benchmark named ${unknown.join(', ')}`);
  process.exit(2);
}
const workspaces = all.filter(
  ({ pkg }) =>
    only.length === 0 ||
    only.some((o) => !benchNames.includes(o) && pkg.name.includes(o)) ||
    benchNames.some((name) => pkg.benchNames?.includes(name)),
);

// Benchmarks that start the product's processes run the built CLIs (dist/), what ships: build first
// (turbo's cache makes this a no-op when nothing changed), so a figure is never taken from a stale bundle.
console.error('# building what the benchmarks run');
const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: ['ignore', 2, 'inherit'] });
if (build.status !== 0) {
  console.error(`# build failed with exit code ${build.status}: no benchmark run`);
  process.exit(1);
}

const results = [];
for (const { dir, pkg } of workspaces) {
  console.error(`# bench ${pkg.name}`);
  const names = benchNames.filter((name) => pkg.benchNames?.includes(name));
  const run = spawnSync('npm', ['run', '--silent', 'bench'], {
    cwd: dir,
    env: names.length === 0 ? process.env : { ...process.env, BENCH_NAMES: names.join(',') },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (run.status !== 0) {
    console.error(run.stdout);
    console.error(`# ${pkg.name} bench failed with exit code ${run.status}`);
    process.exit(1);
  }
  for (const line of run.stdout.split('\n')) {
    const text = line.trim();
    if (!text.startsWith('{')) continue;
    results.push({ workspace: pkg.name, ...JSON.parse(text) });
  }
}
console.log(JSON.stringify({ machine: machineFacts(), results }, null, 2));

function machineFacts() {
  const cores = cpus();
  return {
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    cpus: cores.length,
    cpuModel: cores[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
  };
}
