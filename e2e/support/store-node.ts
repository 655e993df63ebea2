import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The store node app and its build outputs, which the e2e run drives exactly as a store would. */
export const POS_APP = fileURLToPath(new URL('../../apps/pos-desktop/', import.meta.url));
export const POS_CLI = join(POS_APP, 'dist', 'cli.js');
export const RENDERER_DIR = join(POS_APP, 'dist', 'renderer');

export interface RunningStoreNode {
  readonly url: string;
  readonly token: string;
  readonly dataDir: string;
  /** The demo fixture the node loaded (benchmarks pick real barcodes from it). */
  readonly fixture: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

function runCli(args: readonly string[]): string {
  const run = spawnSync(process.execPath, [POS_CLI, ...args], { encoding: 'utf8', timeout: 120_000 });
  if (run.status !== 0) {
    throw new Error(`pos-store ${args[0]} failed (${run.status}):\n${run.stdout}\n${run.stderr}`);
  }
  return run.stdout;
}

export function assertBuilt(): void {
  for (const file of [POS_CLI, join(RENDERER_DIR, 'index.html')]) {
    if (!existsSync(file)) {
      throw new Error(
        `${file} is missing: run \`npm run build -w @retail/pos-desktop\` (root \`npm run e2e\` does).`,
      );
    }
  }
}

/**
 * A real headless store node for the browser tests: a fresh data folder, the demo chain generator's
 * fixture (loaded through the feed path), the renderer build, 127.0.0.1 and a port the OS picks.
 */
export async function startStoreNode(options: {
  skus: number;
  timeoutMs?: number;
  /** Changes the generated fixture before the node loads it (e.g. adds hub feed records). */
  prepareFixture?: (fixtureFile: string) => void;
}): Promise<RunningStoreNode> {
  assertBuilt();
  const root = mkdtempSync(join(tmpdir(), 'pos-e2e-'));
  const dataDir = join(root, 'data');
  const fixture = join(root, 'demo.json');
  runCli([
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
  runCli(['fixture', '--out', fixture, '--skus', String(options.skus)]);
  options.prepareFixture?.(fixture);
  const child = spawn(
    process.execPath,
    [POS_CLI, 'start', '--data', dataDir, '--port', '0', '--fixture', fixture, '--ui', RENDERER_DIR],
    { env: { ...process.env, POS_STORE_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await new Promise<{ url: string; token: string }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`pos-store did not start in time.\n${stdout}\n${stderr}`));
    }, options.timeoutMs ?? 120_000);
    child.stdout?.on('data', () => {
      const url = /URL:\s+(\S+)/.exec(stdout)?.[1];
      const token = /Token:\s+(\S+)/.exec(stdout)?.[1];
      if (url && token && stdout.includes('Token file:')) {
        clearTimeout(timer);
        resolve({ url, token });
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`pos-store exited before it was ready.\n${stdout}\n${stderr}`));
    });
  });
  return {
    ...ready,
    dataDir,
    fixture,
    child,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(killer);
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** The store node process the desktop app runs (its bundle, on this Node, as `npm run desktop` does). */
export const DESKTOP_NODE = join(POS_APP, 'dist', 'main', 'store-node.cjs');

export interface NewTill {
  readonly url: string;
  readonly token: string;
  readonly dataDir: string;
  /** Everything the process wrote to stdout so far (its JSON event lines). */
  stdout(): string;
  stop(): Promise<void>;
}

/**
 * A new till as the desktop app starts it on a fresh install: the desktop's store node process with an
 * empty data folder, which serves the first-run setup screen (loopback, the launch token) until someone
 * sets it up, then the till itself on the same port.
 */
export async function startNewTill(options: { hubUrl?: string; timeoutMs?: number } = {}): Promise<NewTill> {
  for (const file of [DESKTOP_NODE, join(POS_APP, 'dist', 'migrations'), join(RENDERER_DIR, 'index.html')]) {
    if (!existsSync(file))
      throw new Error(`${file} is missing: run \`npm run build -w @retail/pos-desktop\`.`);
  }
  const root = mkdtempSync(join(tmpdir(), 'pos-new-till-'));
  const dataDir = join(root, 'data');
  const token = randomBytes(32).toString('base64url');
  const child = spawn(
    process.execPath,
    [
      DESKTOP_NODE,
      '--data',
      dataDir,
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--migrations',
      join(POS_APP, 'dist', 'migrations'),
      '--ui',
      RENDERER_DIR,
      ...(options.hubUrl === undefined ? [] : ['--hub', options.hubUrl]),
    ],
    {
      env: { ...process.env, POS_STORE_TOKEN: token, POS_STORE_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(root, { recursive: true, force: true });
  };
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    const url = /\{"event":"ready","url":"([^"]+)","setup":true\}/.exec(stdout)?.[1];
    if (url !== undefined) return { url, token, dataDir, stdout: () => stdout, stop };
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`The new till's store node did not start:\n${stdout}\n${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
