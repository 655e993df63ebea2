import { mkdirSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { io as connect } from 'socket.io-client';
import { resolveConfig } from 'vite';
import { afterEach, describe, expect, it } from 'vitest';
import { createCommandClient, type CommandClient } from '../shared/command-client';
import { NOTIFICATION_EVENT, type NotificationPayload } from '../shared/notifications';
import { createTestNode, expectError, expectOk, tempDir, type TestNode } from '../engine/testing/test-node';
import { startStoreServer, type StoreServer } from './server';
import { NOT_BUILT_PAGE } from './static-files';

const TOKEN = 'test-token-0123456789abcdef';

let node: TestNode | undefined;
let server: StoreServer | undefined;
const clients: CommandClient[] = [];
const dirs: { remove(): void }[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await server?.close();
  server = undefined;
  node?.close();
  node = undefined;
  for (const dir of dirs.splice(0)) dir.remove();
});

/** A GET with the path sent exactly as written (fetch would normalise dot segments first). */
function rawGet(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, path, method: 'GET' }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', reject);
    request.end();
  });
}

async function start(staticDir?: string): Promise<StoreServer> {
  node = createTestNode();
  server = await startStoreServer({
    engine: node.engine,
    token: TOKEN,
    port: 0,
    ...(staticDir ? { staticDir } : {}),
  });
  return server;
}

function client(token = TOKEN): CommandClient {
  if (!server) throw new Error('server not started');
  const created = createCommandClient(server.url, token, {
    transports: ['websocket'],
    connectTimeoutMs: 5_000,
  });
  clients.push(created);
  return created;
}

describe('server', () => {
  describe('startStoreServer', () => {
    it('listens on 127.0.0.1 on an ephemeral port by default', async () => {
      const started = await start();
      expect(started.host).toBe('127.0.0.1');
      expect(started.url).toBe(`http://127.0.0.1:${started.port}`);
      expect(started.port).toBeGreaterThan(0);
    });

    it('refuses a token too short to be secret', async () => {
      node = createTestNode();
      await expect(startStoreServer({ engine: node.engine, token: 'short' })).rejects.toThrow(
        /at least 16 characters/,
      );
    });
  });

  describe('handshake', () => {
    it('refuses clients with a wrong or missing token', async () => {
      await start();
      await expect(client('wrong-token-0123456789').ready()).rejects.toThrow(/refused this device/);
      const anonymous = connect(server!.url, { transports: ['websocket'], reconnection: false });
      const error = await new Promise<Error>((resolve) => anonymous.once('connect_error', resolve));
      anonymous.close();
      expect(error.message).toBe('unauthorized');
    });

    it('accepts the launch token', async () => {
      await start();
      await client().ready();
    });
  });

  describe('command channel', () => {
    it('answers commands with result envelopes typed by the command map', async () => {
      await start();
      const channel = client();
      await channel.ready();
      const info = expectOk(await channel.send('node-info', {}));
      expect(info.storeCode).toBe('S001');
      const signedIn = expectOk(await channel.send('staff-sign-in', { staffCode: 'C1', pin: '1111' }));
      const shift = expectOk(
        await channel.send('shift-open', { float: 5_000 }, { session: signedIn.session }),
      );
      expect(shift.float).toBe(5_000);
      expectError(
        await channel.send('shift-open', { float: 5_000 }, { session: signedIn.session }),
        'CONFLICT',
      );
    });

    it('validates at the edge: malformed messages, unknown commands and bad input get INVALID_INPUT or NOT_FOUND', async () => {
      await start();
      const channel = client();
      await channel.ready();
      const raw = (message: unknown) =>
        channel.socket.timeout(5_000).emitWithAck('command', message) as Promise<unknown>;
      expect(await raw('not an object')).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
      expect(await raw({ input: {} })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
      expect(await raw({ name: 'sale-teleport', input: {} })).toMatchObject({
        ok: false,
        error: { code: 'NOT_FOUND' },
      });
      expect(await raw({ name: 'staff-sign-in', input: { staffCode: 'C1', pin: 'abc' } })).toMatchObject({
        ok: false,
        error: {
          code: 'INVALID_INPUT',
          message: 'The staff-sign-in request is not valid. pin: A PIN is 4 to 12 digits.',
        },
      });
      expectError(await channel.send('shift-current', {}), 'UNAUTHORIZED');
    });

    it('ignores a command sent without an acknowledgement callback', async () => {
      await start();
      const channel = client();
      await channel.ready();
      channel.socket.emit('command', { name: 'staff-sign-in', input: { staffCode: 'C1', pin: '1111' } });
      expectOk(await channel.send('node-info', {}));
      const signIns = node!.engine.db
        .prepare("SELECT COUNT(*) AS count FROM audit_log WHERE action = 'staff-sign-in'")
        .get();
      expect(signIns).toEqual({ count: 4 });
    });
  });

  describe('notifications', () => {
    it('pushes stock, shift and sync changes to every connected client after the command commits', async () => {
      await start();
      const actor = client();
      const watcher = client();
      await Promise.all([actor.ready(), watcher.ready()]);
      const stock = new Promise<NotificationPayload<'stock-changed'>>((resolve) =>
        watcher.on('stock-changed', resolve),
      );
      const shift = new Promise<NotificationPayload<'shift-changed'>>((resolve) =>
        watcher.on('shift-changed', resolve),
      );
      const sync: NotificationPayload<'sync-status'>[] = [];
      watcher.on('sync-status', (status) => sync.push(status));
      const session = expectOk(await actor.send('staff-sign-in', { staffCode: 'C1', pin: '1111' })).session;
      expectOk(await actor.send('shift-open', { float: 0 }, { session }));
      expect((await shift).shift.status).toBe('open');
      expectOk(
        await actor.send(
          'stock-receive',
          { source: { type: 'supplier', reference: 'DN-7' }, lines: [{ sku: 'MILK-1', qty: 2 }] },
          { session },
        ),
      );
      expect((await stock).levels).toEqual([expect.objectContaining({ sku: 'MILK-1', sellable: 12 })]);
      await expect.poll(() => sync.map((status) => status.pendingEvents)).toEqual([1, 2]);
    });

    it('answers a command before it sends the notifications that follow from it', async () => {
      await start();
      const actor = client();
      await actor.ready();
      const session = expectOk(await actor.send('staff-sign-in', { staffCode: 'C1', pin: '1111' })).session;
      expectOk(await actor.send('shift-open', { float: 0 }, { session }));
      // A raw socket, so the answer is recorded the moment it arrives, not a promise turn later.
      const raw = connect(server!.url, { transports: ['websocket'], auth: { token: TOKEN } });
      const arrived: string[] = [];
      raw.on(NOTIFICATION_EVENT, (notification: { name: string }) => arrived.push(notification.name));
      await new Promise<void>((resolve) => raw.once('connect', () => resolve()));
      try {
        const answer = new Promise<{ ok: boolean }>((resolve) =>
          raw.emit(
            'command',
            {
              name: 'stock-receive',
              input: { source: { type: 'supplier', reference: 'DN-8' }, lines: [{ sku: 'MILK-1', qty: 2 }] },
              session,
            },
            (result: { ok: boolean }) => {
              arrived.push('answer');
              resolve(result);
            },
          ),
        );
        expect((await answer).ok).toBe(true);
        await expect.poll(() => arrived).toEqual(['answer', 'stock-changed', 'sync-status']);
      } finally {
        raw.close();
      }
    });
  });

  describe('static files', () => {
    it('serves a plain page saying the UI is not built when there is no build', async () => {
      await start(join('/nonexistent', 'renderer'));
      const response = await fetch(`${server!.url}/`);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe(NOT_BUILT_PAGE);
    });

    it('serves the build, falls back to index.html for app routes and never leaves the build folder', async () => {
      const dir = tempDir('pos-store-ui-');
      dirs.push(dir);
      const root = join(dir.path, 'ui');
      mkdirSync(join(root, 'assets'), { recursive: true });
      writeFileSync(join(root, 'index.html'), '<!doctype html><title>POS</title>');
      writeFileSync(join(root, 'assets', 'app.js'), 'console.log("pos");');
      writeFileSync(join(dir.path, 'secret.txt'), 'outside');
      await start(root);
      const index = await fetch(`${server!.url}/`);
      expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await index.text()).toBe('<!doctype html><title>POS</title>');
      const script = await fetch(`${server!.url}/assets/app.js`);
      expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect(await (await fetch(`${server!.url}/sell/checkout`)).text()).toBe(
        '<!doctype html><title>POS</title>',
      );
      expect((await fetch(`${server!.url}/assets/missing.js`)).status).toBe(404);
      expect(await rawGet(server!.port, '/..%2fsecret.txt')).toBe(404);
      expect(await rawGet(server!.port, '/assets/..%2f..%2fsecret.txt')).toBe(404);
      expect((await fetch(`${server!.url}/`, { method: 'POST' })).status).toBe(405);
    });

    it('builds no source maps, and serves none a build left behind', async () => {
      const config = await resolveConfig(
        { configFile: fileURLToPath(new URL('../../vite.config.ts', import.meta.url)), logLevel: 'silent' },
        'build',
        'production',
      );
      expect(config.build.sourcemap).toBe(false);
      const dir = tempDir('pos-store-ui-');
      dirs.push(dir);
      mkdirSync(join(dir.path, 'assets'), { recursive: true });
      writeFileSync(join(dir.path, 'index.html'), '<!doctype html><title>POS</title>');
      writeFileSync(join(dir.path, 'assets', 'app.js.map'), '{"sources":["../src/secret-logic.ts"]}');
      await start(dir.path);
      const map = await fetch(`${server!.url}/assets/app.js.map`);
      expect(map.status).toBe(404);
      expect(await map.text()).not.toContain('secret-logic');
    });
  });
});
