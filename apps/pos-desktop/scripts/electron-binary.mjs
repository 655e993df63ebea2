// Finds the Electron binary for the pinned `electron` package, downloading it when it is missing. The npm
// package is installed without it (allowScripts denies its install script), so `npm run desktop` and
// `npm run desktop:check` fetch it explicitly with the package's own installer, which honours
// ELECTRON_MIRROR, electron_config_cache and ELECTRON_OVERRIDE_DIST_PATH.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

const app = resolve(new URL('..', import.meta.url).pathname);
const require = createRequire(join(app, 'package.json'));

export function electronPackage() {
  const dir = dirname(require.resolve('electron/package.json'));
  const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  return { dir, version };
}

/** The executable, when the binary for this package's version is in place (as electron/index.js finds it). */
export function installedElectron() {
  const { dir, version } = electronPackage();
  const pathFile = join(dir, 'path.txt');
  const versionFile = join(dir, 'dist', 'version');
  if (!existsSync(pathFile)) return null;
  const relative = readFileSync(pathFile, 'utf8');
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const executable = override ? join(override, relative) : join(dir, 'dist', relative);
  if (!override) {
    const installed = existsSync(versionFile)
      ? readFileSync(versionFile, 'utf8').trim().replace(/^v/, '')
      : null;
    if (installed !== version) return null;
  }
  return existsSync(executable) ? executable : null;
}

/** The installer's reason in one line: its first error line, without the stack. */
function firstErrorLine(output) {
  const lines = output
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  return (lines.find((line) => /error/i.test(line)) ?? lines[0] ?? 'no output').slice(0, 200);
}

/**
 * Answers `{ ok: true, executable, version }` or `{ ok: false, version, reason }`; never throws. The download is bounded
 * (a mirror that accepts the connection and then stalls must not hang the caller).
 */
export async function fetchElectron({ timeoutMs = 10 * 60_000, onStart } = {}) {
  const { dir, version } = electronPackage();
  const existing = installedElectron();
  if (existing) return { ok: true, executable: existing, version };
  onStart?.(version);
  const child = spawn(process.execPath, [join(dir, 'install.js')], {
    cwd: dir,
    // The installer skips the download when this is set; a fetch was asked for explicitly.
    env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk) => (output += chunk));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  const code = await new Promise((resolveExit) => {
    child.once('error', (error) => {
      output += String(error);
      resolveExit(-1);
    });
    child.once('exit', (exitCode) => resolveExit(exitCode));
  });
  clearTimeout(timer);
  if (timedOut)
    return { ok: false, version, reason: `the download did not finish within ${timeoutMs / 1000} s` };
  if (code !== 0) return { ok: false, version, reason: firstErrorLine(output) };
  const executable = installedElectron();
  return executable
    ? { ok: true, executable, version }
    : { ok: false, version, reason: `the installer finished but no Electron ${version} binary is in ${dir}` };
}
