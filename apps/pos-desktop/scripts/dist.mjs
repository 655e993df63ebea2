#!/usr/bin/env node
// `npm run dist -w @retail/pos-desktop -- [electron-builder flags]`: builds everything and packages the
// installers described in electron-builder.yml (Linux AppImage + deb, Windows nsis), with better-sqlite3
// rebuilt for Electron and the Electron fuses flipped. electron-builder is an exact devDependency; it
// downloads Electron and its platform tools when it runs (never at install), so this runs on a packaging
// machine with internet access, not in CI.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

const app = resolve(new URL('..', import.meta.url).pathname);
const require = createRequire(join(app, 'package.json'));

// electron-builder rebuilds better-sqlite3 with @electron/rebuild 4, which needs Node 22.12 or later.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(
    `dist: packaging needs Node 22.12 or later (this is ${process.versions.node}): electron-builder rebuilds the SQLite driver for Electron with @electron/rebuild 4, which requires it. Everything else in this repository runs on Node 20.`,
  );
  process.exit(1);
}

function run(command, args) {
  const result = spawnSync(command, args, {
    cwd: app,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const builderCli = join(dirname(require.resolve('electron-builder/package.json')), 'cli.js');
run('npm', ['run', 'build']);
run(process.execPath, [builderCli, '--config', 'electron-builder.yml', ...process.argv.slice(2)]);
