import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { bundleHubCli, eventually } from '@retail/hub-server/testing';
import { APP_DIR } from '../cli-process';

/**
 * Real `pos-hub` and `pos-store` processes for the process-level sync tests. Both CLIs are bundled once
 * (as their build scripts do) so each of the many restarts costs a plain node start, not a TypeScript
 * compile, and so the test runs the source of this commit rather than whatever dist/ holds.
 */

// One folder per test worker: test files that use these bundles run in parallel, and each one removes its
// folder when it is done.
export const WORK_DIR = join(
  APP_DIR,
  'node_modules',
  '.cache',
  `pos-sync-process-test-${process.pid}-${process.env['VITEST_WORKER_ID'] ?? '0'}`,
);
export const HUB_CLI = join(WORK_DIR, 'hub', 'cli.js');
export const STORE_CLI = join(WORK_DIR, 'store', 'cli.js');

export async function buildCliBundles(): Promise<void> {
  rmSync(WORK_DIR, { recursive: true, force: true });
  mkdirSync(join(WORK_DIR, 'hub'), { recursive: true });
  const store = spawnSync(
    process.execPath,
    [join(APP_DIR, 'scripts', 'build-cli.mjs'), join(WORK_DIR, 'store')],
    {
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  if (store.status !== 0) throw new Error(`bundling pos-store failed: ${store.stderr}`);
  // The same bundle as `npm run build -w @retail/hub-server`.
  await bundleHubCli(HUB_CLI);
}

export function removeCliBundles(): void {
  rmSync(WORK_DIR, { recursive: true, force: true });
}

/** A port nobody listens on right now, so a restarted hub can come back at the address tills know. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Process tests wait on processes that may still be starting: a probe that throws counts as not yet. */
export const until = eventually;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface RunningProcess {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
  /** SIGKILL, resolved once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM, resolved with the exit code. */
  stop(): Promise<number | null>;
}

/** What a test reads of a process's output: its start (ready lines, URL, token) and its latest lines. */
const KEPT_OUTPUT_CHARS = 64 * 1024;

/**
 * A child's output, kept bounded: the soak's hub logs every request for half an hour, and holding all of
 * it would make the soak's own process grow without bound.
 */
function boundedOutput(): { append(chunk: string): void; text(): string } {
  let head = '';
  let tail = '';
  let dropped = false;
  return {
    append(chunk) {
      if (head.length < KEPT_OUTPUT_CHARS) {
        const room = KEPT_OUTPUT_CHARS - head.length;
        head += chunk.slice(0, room);
        chunk = chunk.slice(room);
      }
      tail += chunk;
      if (tail.length > KEPT_OUTPUT_CHARS) {
        tail = tail.slice(-KEPT_OUTPUT_CHARS);
        dropped = true;
      }
    },
    text: () => (dropped ? `${head}\n[… output cut …]\n${tail}` : head + tail),
  };
}

function track(child: ChildProcess): RunningProcess & { readonly stdout: () => string } {
  const stdoutKept = boundedOutput();
  const stderrKept = boundedOutput();
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => stdoutKept.append(chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => stderrKept.append(chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    exited,
    stdout: () => stdoutKept.text(),
    output: () => `stdout: ${stdoutKept.text()}\nstderr: ${stderrKept.text()}`,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

async function waitFor(
  running: ReturnType<typeof track>,
  ready: (stdout: string) => boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  await Promise.race([
    until(what, () => ready(running.stdout()), timeoutMs, 20),
    running.exited.then((code) => {
      throw new Error(`${what}: the process exited with ${code} first.\n${running.output()}`);
    }),
  ]);
}

/** Runs a one-shot `pos-hub` command and returns its stdout. */
export function hubCommand(args: readonly string[]): string {
  const run = runHubCommand(args);
  if (run.status !== 0) throw new Error(`pos-hub ${args[0]} failed (${run.status}): ${run.stderr}`);
  return run.stdout;
}

/** Runs a one-shot `pos-hub` command and returns how it ended, for commands expected to refuse. */
export function runHubCommand(
  args: readonly string[],
  timeoutMs = 120_000,
): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [HUB_CLI, ...args], { encoding: 'utf8', timeout: timeoutMs });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

export interface RunningHub extends RunningProcess {
  readonly url: string;
}

/** `pos-hub serve` on 127.0.0.1:port, resolved once it listens. */
export async function startHub(options: {
  db: string;
  port: number;
  markerPath: string;
  extraArgs?: readonly string[];
}): Promise<RunningHub> {
  const child = spawn(
    process.execPath,
    [
      HUB_CLI,
      'serve',
      '--db',
      options.db,
      '--host',
      '127.0.0.1',
      '--port',
      String(options.port),
      '--feed-marker',
      options.markerPath,
      '--log-level',
      'info',
      ...(options.extraArgs ?? []),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const running = track(child);
  // A node start under heavy load can take tens of seconds: the bound is for a hub that never listens.
  await waitFor(
    running,
    (stdout) => stdout.includes('pos-hub listening on'),
    'pos-hub serve listening',
    120_000,
  );
  return { ...running, url: `http://127.0.0.1:${options.port}` };
}

export interface RunningStore extends RunningProcess {
  readonly url: string;
  readonly token: string;
}

/** `pos-store start`, resolved once it printed its URL and token (sync runs in the background). */
export async function startStore(args: readonly string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [STORE_CLI, 'start', '--port', '0', ...args], {
    env: { ...process.env, POS_STORE_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const running = track(child);
  await waitFor(running, (stdout) => stdout.includes('Token file:'), 'pos-store start ready', 120_000);
  const url = /URL:\s+(\S+)/.exec(running.stdout())?.[1];
  const token = /Token:\s+(\S+)/.exec(running.stdout())?.[1];
  if (url === undefined || token === undefined) throw new Error(`pos-store printed no URL/token`);
  return { ...running, url, token } satisfies RunningStore;
}
