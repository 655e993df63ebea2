import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { integrityCheck, openDatabase } from './database';
import { readHubConnection } from './sync/store-sync';
import { createTestNode, expectError, expectOk, type TestNode } from './testing/test-node';
import { startTestHub } from './testing/test-hub';

let node: TestNode | undefined;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  await node?.engine.shutdown();
  node?.close();
  node = undefined;
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startHub() {
  const hub = await startTestHub();
  cleanups.push(() => hub.close());
  return hub;
}

describe('engine/node-admin', () => {
  describe('node-backup', () => {
    it('writes a consistent, integrity-checked copy into the backups folder and audits it', async () => {
      node = createTestNode();
      const backup = expectOk(
        await node.engine.executeAsync('node-backup', {}, { session: node.sessions.manager }),
      );
      expect(dirname(backup.file)).toBe(join(node.dir, 'backups'));
      expect(backup.file).toMatch(/store-\d{8}T\d{6}Z\.db$/);
      const copy = openDatabase(backup.file, { readonly: true });
      try {
        expect(integrityCheck(copy)).toBe('ok');
      } finally {
        copy.close();
      }
      const { entries } = expectOk(
        node.engine.execute('audit-log-list', { action: 'node-backup' }, { session: node.sessions.manager }),
      );
      expect(entries).toMatchObject([{ subject: backup.file, details: { pages: backup.pages } }]);
      // A second backup within the same second would overwrite the first: it is refused instead.
      expectError(
        await node.engine.executeAsync('node-backup', {}, { session: node.sessions.manager }),
        'CONFLICT',
      );
    });

    it('is for managers only, and only through the asynchronous path', async () => {
      node = createTestNode();
      expectError(
        await node.engine.executeAsync('node-backup', {}, { session: node.sessions.supervisor }),
        'FORBIDDEN',
      );
      expectError(await node.engine.executeAsync('node-backup', {}), 'UNAUTHORIZED');
      expectError(node.engine.execute('node-backup', {}, { session: node.sessions.manager }), 'NOT_ALLOWED');
      expect(existsSync(join(node.dir, 'backups'))).toBe(false);
    });
  });

  describe('node-hub-connect', () => {
    it('enrolls a standalone till with a code and starts syncing without a restart', async () => {
      const hub = await startHub();
      node = createTestNode();
      const before = expectOk(node.engine.execute('node-setup-status', {}));
      expect(before).toEqual({
        state: 'ready',
        storeCode: 'S001',
        deviceNo: 3,
        hubUrl: null,
        enrolled: false,
      });
      const code = await hub.code();
      const connected = expectOk(
        await node.engine.executeAsync(
          'node-hub-connect',
          { hubUrl: hub.url, code, deviceName: 'Lane 3' },
          { session: node.sessions.manager },
        ),
      );
      expect(connected).toEqual({ hubUrl: hub.url, enrolled: true });
      expect(node.engine.sync.configured()).toBe(true);
      expect(readHubConnection(node.engine.db)?.hubUrl).toBe(hub.url);
      expect(expectOk(node.engine.execute('node-setup-status', {}))).toMatchObject({
        hubUrl: hub.url,
        enrolled: true,
      });
      const { entries } = expectOk(
        node.engine.execute(
          'audit-log-list',
          { action: 'node-hub-connect' },
          { session: node.sessions.manager },
        ),
      );
      expect(entries).toMatchObject([{ subject: hub.url, details: { enrolled: true, withCode: true } }]);
      expect(JSON.stringify(entries)).not.toContain(code);

      // Enrolled: a code is refused (moving stores is HQ's job); a new address is followed.
      const refused = expectError(
        await node.engine.executeAsync(
          'node-hub-connect',
          { hubUrl: hub.url, code: await hub.code() },
          { session: node.sessions.manager },
        ),
        'CONFLICT',
      );
      expect(refused.message).toMatch(/already enrolled/);
      const moved = hub.url.replace('127.0.0.1', 'localhost');
      expectOk(
        await node.engine.executeAsync(
          'node-hub-connect',
          { hubUrl: moved },
          { session: node.sessions.manager },
        ),
      );
      expect(readHubConnection(node.engine.db)?.hubUrl).toBe(moved);
    });

    it("passes the hub's refusal of a wrong code on, and records an address given without a code", async () => {
      const hub = await startHub();
      node = createTestNode();
      const wrong = await node.engine.executeAsync(
        'node-hub-connect',
        { hubUrl: hub.url, code: 'NOT-A-CODE' },
        { session: node.sessions.manager },
      );
      expectError(wrong, 'INVALID_INPUT');
      expect(node.engine.sync.configured()).toBe(false);
      expect(
        expectOk(
          await node.engine.executeAsync(
            'node-hub-connect',
            { hubUrl: hub.url },
            { session: node.sessions.manager },
          ),
        ),
      ).toEqual({ hubUrl: hub.url, enrolled: false });
      expect(expectOk(node.engine.execute('node-setup-status', {}))).toMatchObject({
        hubUrl: hub.url,
        enrolled: false,
      });
    });
  });

  describe('node-setup', () => {
    it('is refused by a node that is set up', () => {
      node = createTestNode();
      const error = expectError(
        node.engine.execute('node-setup', {
          mode: 'standalone',
          storeId: 'store-9',
          storeCode: 'S009',
          deviceNo: 1,
          currency: 'EUR',
          firstManager: { staffCode: 'M9', name: 'Max', pin: '9999' },
        }),
        'CONFLICT',
      );
      expect(error.message).toMatch(/already set up as store S001, device 3/);
    });
  });
});
