#!/usr/bin/env node
// `npm run dist -w @retail/pos-desktop -- [electron-builder flags]`: builds everything and packages the
// installers described in electron-builder.yml (Linux AppImage + deb, Windows nsis), with better-sqlite3
// rebuilt for Electron. electron-builder is not a dependency of the workspace (it downloads Electron and
// platform tools, which CI machines cannot); it runs at this pinned version through npx.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const ELECTRON_BUILDER = 'electron-builder@26.17.0';
const app = resolve(new URL('..', import.meta.url).pathname);

function run(command, args) {
  const result = spawnSync(command, args, {
    cwd: app,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

run('npm', ['run', 'build']);
run('npx', ['--yes', ELECTRON_BUILDER, '--config', 'electron-builder.yml', ...process.argv.slice(2)]);
