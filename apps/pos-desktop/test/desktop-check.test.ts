import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { APP_DIR } from './cli-process';

/**
 * `npm run desktop:check` where the Electron binary cannot be fetched, as on the build machines: the
 * download goes to the mirror ELECTRON_MIRROR names (a local server here, which has no Electron), fails,
 * and the check says so in one line and succeeds. The real run needs the binary and is not testable here.
 */
const ROOT = join(APP_DIR, '..', '..');
const CHECK = join(ROOT, 'e2e', 'desktop-check.ts');
const scratch = mkdtempSync(join(tmpdir(), 'desktop-check-test-'));
const servers: Server[] = [];

afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  rmSync(scratch, { recursive: true, force: true });
});

/** A mirror that has nothing: it answers 404 and remembers what was asked for. */
async function emptyMirror(): Promise<{ url: string; requested: string[] }> {
  const requested: string[] = [];
  const server = createServer((request, response) => {
    requested.push(request.url ?? '');
    response.writeHead(404).end('not here');
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, requested };
}

function runCheck(env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // What `npm run desktop:check` runs: the script under tsx, from the repository root.
    const child = spawn(process.execPath, ['--import', 'tsx', CHECK], {
      cwd: ROOT,
      // No cached download and no installed binary, whatever the machine holds.
      env: {
        ...process.env,
        electron_config_cache: mkdtempSync(join(scratch, 'cache-')),
        ELECTRON_OVERRIDE_DIST_PATH: mkdtempSync(join(scratch, 'no-binary-')),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run desktop:check', () => {
  it('fetches Electron from ELECTRON_MIRROR and, when it is not there, says so in one line and exits 0', async () => {
    const mirror = await emptyMirror();
    const { code, stdout, stderr } = await runCheck({ ELECTRON_MIRROR: mirror.url });
    expect(code).toBe(0);
    expect(stderr).toBe('');
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^desktop:check: skipped, the Electron \d+\.\d+\.\d+ binary cannot be fetched here \(.*404.*\); set ELECTRON_MIRROR/,
    );
    expect(mirror.requested.some((path) => /electron-v\d+\.\d+\.\d+-\w+-\w+\.zip$/.test(path))).toBe(true);
  });

  it('says the same where the mirror cannot be reached at all', async () => {
    const mirror = await emptyMirror();
    const closed = mirror.url;
    await new Promise((resolve) => servers.pop()?.close(resolve));
    const { code, stdout } = await runCheck({ ELECTRON_MIRROR: closed });
    expect(code).toBe(0);
    expect(stdout.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^desktop:check: skipped, .*\(.*ECONNREFUSED.*\)/),
    ]);
  });
});
