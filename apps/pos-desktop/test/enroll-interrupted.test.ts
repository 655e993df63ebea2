import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type Storage, type TestHub } from '@retail/hub-server/testing';
import { APP_DIR, cliArgs, startCli } from './cli-process';

/**
 * `pos-store start --enroll CODE` killed after the hub used the code but before the till wrote its
 * database: a real SIGKILL of the real CLI, at the moment the hub's answer is in flight.
 */
describe('pos-store start --enroll, killed mid-enrollment', () => {
  let world: TestHub;
  let storage: Storage;
  let hubUrl: string;
  let proxy: Server;
  let proxyUrl: string;
  let dataDir: string;
  /** Set by the test: what the proxy does once the hub has answered an enrollment. */
  let onEnrolled: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
    world = await startTestHub({ stores: ['s1'], items: [], app: { sync: { socket: false } } });
    ({ storage, url: hubUrl } = world);
    // Passes enrollment through to the hub, then lets the test act before the till sees the answer.
    proxy = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        void (async () => {
          const answer = await fetch(`${hubUrl}${request.url}`, {
            method: request.method ?? 'GET',
            headers: { 'content-type': 'application/json' },
            ...(chunks.length === 0 ? {} : { body: Buffer.concat(chunks) }),
          });
          const body = await answer.text();
          await onEnrolled();
          if (response.destroyed) return;
          response.writeHead(answer.status, { 'content-type': 'application/json' }).end(body);
        })().catch(() => response.destroy());
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    dataDir = mkdtempSync(join(tmpdir(), 'pos-enroll-interrupted-'));
  });

  afterAll(async () => {
    await new Promise((resolve) => proxy?.close(resolve));
    await world?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const devicesAtHub = () =>
    storage.db
      .selectFrom('devices')
      .select(['device_id', 'revoked_at'])
      .where('node_id', '=', 's1')
      .execute();

  it('enrolls the same device when started again with the same code', async () => {
    const code = await world.enrollmentCode('s1');
    const data = join(dataDir, 'till');
    const child = spawn(
      process.execPath,
      cliArgs(['start', '--data', data, '--port', '0', '--hub', proxyUrl, '--enroll', code]),
      { cwd: APP_DIR, stdio: 'ignore', env: { ...process.env, POS_STORE_LOG_LEVEL: 'warn' } },
    );
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_code, signal) => resolve(signal)),
    );
    let killed = false;
    onEnrolled = async () => {
      killed = child.kill('SIGKILL');
      await exited;
    };
    expect(await exited).toBe('SIGKILL');
    expect(killed).toBe(true);
    // The hub used the code and lists a device; the till holds nothing of it.
    const [listed, ...others] = await devicesAtHub();
    expect(others).toEqual([]);
    expect(existsSync(join(data, 'store.db'))).toBe(false);

    onEnrolled = async () => undefined;
    const node = await startCli(['--data', data, '--port', '0', '--hub', proxyUrl, '--enroll', code], {
      timeoutMs: 60_000,
    });
    try {
      expect(node.stdout()).toMatch(/enrolled/);
    } finally {
      await node.stop();
    }
    expect(await devicesAtHub()).toEqual([{ device_id: listed!.device_id, revoked_at: null }]);
    const till = new Database(join(data, 'store.db'), { readonly: true });
    try {
      const { credential } = till.prepare('SELECT device_credential AS credential FROM sync_state').get() as {
        credential: string;
      };
      expect(credential.startsWith(`dev_${listed!.device_id}.`)).toBe(true);
      const pull = await fetch(`${hubUrl}/sync/pull?cursor=0&limit=1`, {
        headers: { authorization: `Bearer ${credential}` },
      });
      expect(pull.status).toBe(200);
    } finally {
      till.close();
    }
    expect(existsSync(join(data, 'store.db.enroll-key'))).toBe(false);
  });
});
