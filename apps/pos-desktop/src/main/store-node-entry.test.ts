import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { initStoreNode } from '../engine/init';
import { createCommandClient } from '../shared/command-client';
import { nodeArguments, nodeEnvironment, watchNodeProcess, type SpawnedProcess } from './node-launcher';
import { createNodeSupervisor, type NodeState } from './node-supervisor';

const APP = fileURLToPath(new URL('../..', import.meta.url));
const ENTRY = join(APP, 'src/main/store-node-entry.ts');
const MIGRATIONS = join(APP, 'src/engine/migrations');
const TOKEN = 'desktop-launch-token-0123456789';
const roots: string[] = [];
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

function dataDir(initialised: boolean): string {
  const root = mkdtempSync(join(tmpdir(), 'desktop-node-'));
  roots.push(root);
  if (initialised) {
    initStoreNode({
      databasePath: join(root, 'store.db'),
      setup: { storeId: 'store-1', storeCode: 'S001', deviceNo: 1, currency: 'EUR' },
    });
  }
  return root;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Runs the entry from source the way the dev launcher runs the bundle: plain Node, token in the env. */
function launch(dir: string, port: number): SpawnedProcess & { child: ChildProcess } {
  const args = nodeArguments({
    entry: ENTRY,
    dataDir: dir,
    port,
    lan: false,
    migrationsDir: MIGRATIONS,
    rendererDir: join(APP, 'dist/renderer'),
    hubUrl: undefined,
    token: TOKEN,
  });
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, ...args], {
    cwd: APP,
    env: { ...nodeEnvironment(process.env, TOKEN), POS_STORE_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return {
    child,
    stdout: child.stdout,
    stderr: child.stderr,
    onExit: (listener) => void child.once('exit', (code) => listener(code)),
    requestStop: () => void child.kill('SIGTERM'),
    kill: () => void child.kill('SIGKILL'),
  };
}

function waitFor(
  states: NodeState[],
  predicate: (state: NodeState) => boolean,
  from = 0,
): Promise<NodeState> {
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(
      () => reject(new Error(`no such state; saw ${JSON.stringify(states)}`)),
      45_000,
    );
    const poll = setInterval(() => {
      const found = states.slice(from).find(predicate);
      if (found) {
        clearInterval(poll);
        clearTimeout(deadline);
        resolve(found);
      }
    }, 20);
  });
}

describe('store-node-entry', () => {
  it('serves the command channel with the token it was given and comes back on the same port after a crash', async () => {
    const dir = dataDir(true);
    const port = await freePort();
    const states: NodeState[] = [];
    let current: (SpawnedProcess & { child: ChildProcess }) | undefined;
    const supervisor = createNodeSupervisor({
      launch: () => {
        current = launch(dir, port);
        return watchNodeProcess(current);
      },
      onState: (state) => states.push(state),
      firstDelayMs: 50,
    });
    supervisor.start();
    const running = await waitFor(states, (state) => state.status === 'running');
    expect(running).toEqual({ status: 'running', url: `http://127.0.0.1:${port}` });
    const client = createCommandClient(`http://127.0.0.1:${port}`, TOKEN, { transports: ['websocket'] });
    try {
      await client.ready();
      const info = await client.send('node-info', {});
      expect(info.ok && info.value.storeCode).toBe('S001');

      const seen = states.length;
      current?.child.kill('SIGKILL');
      await waitFor(states, (state) => state.status === 'restarting', seen);
      await waitFor(states, (state) => state.status === 'running', seen);
      const again = await client.send('node-info', {}, { timeoutMs: 20_000 });
      expect(again.ok).toBe(true);
    } finally {
      client.close();
      supervisor.stop();
      await waitFor(states, (state) => state.status === 'stopped');
    }
  });

  it('serves the setup screen on a new till, then the set-up node on the same port without a restart', async () => {
    const dir = dataDir(false);
    const port = await freePort();
    const states: NodeState[] = [];
    const supervisor = createNodeSupervisor({
      launch: () => watchNodeProcess(launch(dir, port)),
      onState: (state) => states.push(state),
    });
    supervisor.start();
    await waitFor(states, (state) => state.status === 'running');
    const client = createCommandClient(`http://127.0.0.1:${port}`, TOKEN);
    try {
      await client.ready();
      expect(await client.send('node-setup-status', {})).toEqual({
        ok: true,
        value: { state: 'needs-setup', hubUrl: null },
      });
      const early = await client.send('node-info', {});
      expect(early.ok || early.error.message).toMatch(/not set up yet/);
      const invalid = await client.send('node-setup', { mode: 'standalone' } as never);
      expect(invalid.ok).toBe(false);
      const setUp = await client.send(
        'node-setup',
        {
          mode: 'standalone',
          storeId: 'store-7',
          storeCode: 'S007',
          deviceNo: 2,
          currency: 'EUR',
          firstManager: { staffCode: '1001', name: 'Morgan', pin: '1234' },
        },
        { timeoutMs: 30_000 },
      );
      expect(setUp).toMatchObject({
        ok: true,
        value: { storeCode: 'S007', deviceNo: 2, managerStaffCode: '1001' },
      });
      // The same socket reconnects to the store server, which has taken the port over.
      let info = await client.send('node-info', {}, { timeoutMs: 20_000 });
      while (!info.ok) info = await client.send('node-info', {}, { timeoutMs: 20_000 });
      expect(info.value).toMatchObject({ storeCode: 'S007', deviceNo: 2 });
      expect((await client.send('staff-sign-in', { staffCode: '1001', pin: '1234' })).ok).toBe(true);
      expect(states.filter((state) => state.status === 'starting')).toHaveLength(1);
    } finally {
      client.close();
      supervisor.stop();
      await waitFor(states, (state) => state.status === 'stopped');
    }
  });
});
