#!/usr/bin/env node
// `npm run desktop -w @retail/pos-desktop -- [--demo] [--data DIR] [--kiosk] [--port N] [--lan] [--hub URL]`
// Runs the Electron till from this checkout: fetches the Electron binary if it is missing (the npm package
// is installed without it; ELECTRON_MIRROR and electron_config_cache are honoured), builds the CLI, the
// renderer and the shell, sets up a demo store node with --demo, and launches Electron against it.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fetchElectron } from './electron-binary.mjs';

const app = resolve(new URL('..', import.meta.url).pathname);
const require = createRequire(join(app, 'package.json'));
const args = process.argv.slice(2);

function run(command, commandArgs, options = {}) {
  const result = spawnSync(command, commandArgs, { cwd: app, stdio: 'inherit', ...options });
  if (result.status !== 0) {
    console.error(`desktop: ${command} ${commandArgs.join(' ')} failed (exit ${result.status}).`);
    process.exit(result.status ?? 1);
  }
}

const fetched = await fetchElectron({
  onStart: (version) =>
    console.error(
      `desktop: downloading the Electron ${version} binary${process.env.ELECTRON_MIRROR ? ` from ${process.env.ELECTRON_MIRROR}` : ''}…`,
    ),
});
if (!fetched.ok) {
  console.error(
    `desktop: the Electron binary cannot be fetched (${fetched.reason}). Set ELECTRON_MIRROR to a mirror that has it, or open the till in a browser (pos-store start).`,
  );
  process.exit(1);
}
const electron = fetched.executable;
run(process.execPath, ['scripts/build-cli.mjs']);
run(process.execPath, [join(dirname(require.resolve('vite/package.json')), 'bin', 'vite.js'), 'build']);
run(process.execPath, ['scripts/build-desktop.mjs']);

const passthrough = args.filter((arg) => arg !== '--demo');
if (args.includes('--demo')) {
  const dataDir = join(app, '.data', 'desktop-demo');
  const fixture = join(app, '.data', 'desktop-demo.json');
  if (!existsSync(join(dataDir, 'store.db'))) {
    run(process.execPath, [
      'dist/cli.js',
      'init',
      '--data',
      dataDir,
      '--store-id',
      'store-1',
      '--store-code',
      'S001',
      '--device-no',
      '1',
      '--currency',
      'EUR',
      '--locale',
      'en-IE',
      '--timezone',
      'Europe/Dublin',
    ]);
  }
  if (!existsSync(fixture))
    run(process.execPath, ['dist/cli.js', 'fixture', '--out', fixture, '--skus', '1000']);
  passthrough.push('--data', dataDir, '--fixture', fixture);
  console.error('desktop: demo store S001; staff 3001 / PIN 3456 (cashier), 1001 / PIN 1234 (manager).');
}

// From a checkout the store node runs on this Node, whose ABI matches node_modules' better-sqlite3;
// installed builds run it in an Electron utility process against the rebuilt module.
const child = spawn(electron, [app, ...passthrough], {
  cwd: app,
  stdio: 'inherit',
  env: { ...process.env, POS_DESKTOP_NODE_BINARY: process.execPath },
});
child.once('exit', (code) => process.exit(code ?? 0));
