import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { APP_DIR } from '../cli-process';

/**
 * Builds the desktop app's bundles with the build scripts `npm run build` runs, into a folder of its own
 * (below the app's node_modules so the bundles resolve better-sqlite3 as an installed app does). Tests
 * then load these files, not the sources: the bundle is what Electron runs.
 */
export interface BuiltShell {
  /** What `app.getAppPath()` answers in the installed app: the folder holding dist/. */
  readonly appDir: string;
  readonly dist: string;
  readonly main: string;
  readonly preload: string;
  readonly storeNode: string;
  readonly cli: string;
}

function run(script: string, outDir: string): void {
  const result = spawnSync(process.execPath, [join(APP_DIR, 'scripts', script), outDir], {
    cwd: APP_DIR,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (result.status !== 0) throw new Error(`${script} failed: ${result.stderr}${result.stdout}`);
}

export function buildShell(
  name: string,
  parts: { readonly cli?: boolean; readonly renderer?: 'placeholder' } = {},
): BuiltShell {
  const appDir = join(APP_DIR, 'node_modules', '.cache', 'pos-desktop-shell-test', name);
  const dist = join(appDir, 'dist');
  rmSync(appDir, { recursive: true, force: true });
  mkdirSync(dist, { recursive: true });
  if (parts.cli) run('build-cli.mjs', dist);
  run('build-desktop.mjs', dist);
  if (parts.renderer === 'placeholder') {
    // The main process only serves these files; the renderer's own build is tested in the browser suite.
    mkdirSync(join(dist, 'renderer', 'assets'), { recursive: true });
    writeFileSync(
      join(dist, 'renderer', 'index.html'),
      '<!doctype html><script src="/assets/app.js"></script>',
    );
    writeFileSync(join(dist, 'renderer', 'assets', 'app.js'), 'document.title = "till";');
  }
  return {
    appDir,
    dist,
    main: join(dist, 'main', 'main.cjs'),
    preload: join(dist, 'preload', 'preload.cjs'),
    storeNode: join(dist, 'main', 'store-node.cjs'),
    cli: join(dist, 'cli.js'),
  };
}
