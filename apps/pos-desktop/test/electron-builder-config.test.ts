import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { APP_DIR } from './cli-process';

/**
 * electron-builder cannot run here (it downloads Electron), so its configuration is checked the way
 * electron-builder itself checks it before packaging: loaded with its own loader and validated against
 * the JSON schema its package ships (app-builder-lib/scheme.json), then held to what this app needs.
 */
const require = createRequire(import.meta.url);
const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
  getConfig(projectDir: string, configPath: string): Promise<Record<string, unknown>>;
  validateConfiguration(config: unknown, debugLogger: { isEnabled: boolean; add(): void }): Promise<void>;
};
const quietDebug = { isEnabled: false, add: () => undefined };

type BuilderConfig = {
  files: { filter: string[] }[];
  asar: boolean;
  asarUnpack: string[];
  npmRebuild: boolean;
  extraMetadata: { main: string };
  electronFuses: Record<string, boolean>;
  linux: { target: string[]; icon: string; extraFiles: { from: string; to: string }[] };
  win: { target: string[]; icon: string; extraFiles: { from: string; to: string }[] };
  directories: { buildResources: string };
};

let config: BuilderConfig;
beforeAll(async () => {
  config = (await getConfig(APP_DIR, 'electron-builder.yml')) as unknown as BuilderConfig;
});

function pngSize(file: string): { width: number; height: number } {
  const bytes = readFileSync(file);
  expect(bytes.subarray(1, 4).toString()).toBe('PNG');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('electron-builder.yml', () => {
  it("is valid against electron-builder's own schema", async () => {
    await expect(validateConfiguration(config, quietDebug)).resolves.toBeUndefined();
  });

  it('is refused by that schema when an option is wrong, so the check above can fail', async () => {
    await expect(
      validateConfiguration({ ...config, electronFuses: { runAsNode: 'no' } }, quietDebug),
    ).rejects.toThrow(/does not match the API schema/);
    await expect(validateConfiguration({ ...config, kioskMode: true }, quietDebug)).rejects.toThrow(
      /does not match the API schema/,
    );
  });

  it('builds AppImage, deb and NSIS installers with icons', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.win.target).toEqual(['nsis']);
    expect(pngSize(join(APP_DIR, config.linux.icon))).toEqual({ width: 512, height: 512 });
    const ico = readFileSync(join(APP_DIR, config.win.icon));
    // An ICO directory (type 1) whose first image is 256 px (stored as 0).
    expect([ico.readUInt16LE(0), ico.readUInt16LE(2), ico[6], ico[7]]).toEqual([0, 1, 0, 0]);
  });

  it('flips the Electron fuses that turn an installed app into a general-purpose Node', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
    expect(config.asar).toBe(true);
  });

  it('ships what the main process loads, the SQLite driver rebuilt for Electron, and the pos-store wrapper', () => {
    const main = readFileSync(join(APP_DIR, 'src/main/main.ts'), 'utf8');
    expect(config.extraMetadata.main).toBe('dist/main/main.cjs');
    for (const loaded of [
      "'renderer'",
      "'preload', 'preload.cjs'",
      "'main', 'store-node.cjs'",
      "'migrations'",
    ]) {
      expect(main).toContain(loaded);
    }
    expect(config.files.flatMap((set) => set.filter)).toEqual(
      expect.arrayContaining([
        'dist/main/**',
        'dist/preload/**',
        'dist/renderer/**',
        'dist/migrations/**',
        'node_modules/better-sqlite3/**',
        'node_modules/bindings/**',
      ]),
    );
    expect(config.npmRebuild).toBe(true);
    expect(config.asarUnpack).toEqual(expect.arrayContaining(['node_modules/better-sqlite3/**']));
    expect(config.linux.extraFiles).toEqual([{ from: 'build/bin/pos-store', to: 'pos-store' }]);
    expect(config.win.extraFiles).toEqual([{ from: 'build/bin/pos-store.cmd', to: 'pos-store.cmd' }]);
    expect(readFileSync(join(APP_DIR, 'build/bin/pos-store'), 'utf8')).toContain(
      'retail-pos" pos-store "$@"',
    );
  });

  it('is packaged by the exact electron-builder and Electron versions in the lockfile', () => {
    const manifest = JSON.parse(readFileSync(join(APP_DIR, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    expect(manifest.devDependencies.electron).toMatch(/^\d+\.\d+\.\d+$/);
    expect(manifest.devDependencies['electron-builder']).toMatch(/^\d+\.\d+\.\d+$/);
    const lock = JSON.parse(readFileSync(join(APP_DIR, '..', '..', 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version?: string }>;
    };
    const locked = (name: string) =>
      (lock.packages[`apps/pos-desktop/node_modules/${name}`] ?? lock.packages[`node_modules/${name}`])
        ?.version;
    expect(locked('electron')).toBe(manifest.devDependencies.electron);
    expect(locked('electron-builder')).toBe(manifest.devDependencies['electron-builder']);
  });
});
