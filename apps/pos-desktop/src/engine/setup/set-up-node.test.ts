import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStoreEngine } from '../engine';
import { readHubConnection } from '../sync/store-sync';
import { startTestHub, type TestHub } from '../testing/test-hub';
import { TEST_PIN_COST, expectOk, tempDir } from '../testing/test-node';
import { setUpNode } from './set-up-node';

const MANAGER = { staffCode: 'M1', name: 'Morgan', pin: '1234' };
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function scratchDatabase(): string {
  const dir = tempDir('set-up-node-');
  cleanups.push(dir.remove);
  return join(dir.path, 'node', 'store.db');
}

async function hub(): Promise<TestHub> {
  const started = await startTestHub();
  cleanups.push(() => started.close());
  return started;
}

describe('engine/setup/set-up-node', () => {
  describe('setUpNode', () => {
    it('enrolls a new till: store, device and time zone from the hub, the credential kept, the first manager able to sign in', async () => {
      const test = await hub();
      const databasePath = scratchDatabase();
      const result = await setUpNode(
        databasePath,
        {
          mode: 'enroll',
          hubUrl: test.url,
          code: await test.code(),
          deviceName: 'Lane 1',
          firstManager: MANAGER,
        },
        { pinCost: TEST_PIN_COST },
      );
      expect(result.identity).toMatchObject({
        storeId: 'store-1',
        storeCode: 'S001',
        currency: 'EUR',
        timezone: 'Europe/Paris',
      });
      expect(result.hubUrl).toBe(test.url);
      const engine = openStoreEngine({ databasePath, pinCost: TEST_PIN_COST, sync: false });
      try {
        expect(readHubConnection(engine.db)?.hubUrl).toBe(test.url);
        expectOk(engine.execute('staff-sign-in', { staffCode: 'M1', pin: '1234' }));
      } finally {
        engine.close();
      }
    });

    it('leaves no database behind when the hub refuses the code, so the setup can be run again', async () => {
      const test = await hub();
      const databasePath = scratchDatabase();
      await expect(
        setUpNode(databasePath, {
          mode: 'enroll',
          hubUrl: test.url,
          code: 'WRONG-CODE',
          firstManager: MANAGER,
        }),
      ).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
      expect(existsSync(databasePath)).toBe(false);
      await setUpNode(
        databasePath,
        { mode: 'enroll', hubUrl: test.url, code: await test.code(), firstManager: MANAGER },
        { pinCost: TEST_PIN_COST },
      );
      expect(existsSync(databasePath)).toBe(true);
    });

    it('sets a standalone till up from what it is told, and never a second time', async () => {
      const databasePath = scratchDatabase();
      const result = await setUpNode(
        databasePath,
        {
          mode: 'standalone',
          storeId: 'store-9',
          storeCode: 'S009',
          deviceNo: 2,
          currency: 'USD',
          locale: 'en-US',
          firstManager: MANAGER,
        },
        { pinCost: TEST_PIN_COST },
      );
      expect(result.identity).toMatchObject({ storeCode: 'S009', deviceNo: 2, currency: 'USD' });
      expect(result.hubUrl).toBeNull();
      await expect(
        setUpNode(databasePath, {
          mode: 'standalone',
          storeId: 'x',
          storeCode: 'X',
          deviceNo: 1,
          currency: 'EUR',
        }),
      ).rejects.toMatchObject({ code: 'CONFLICT' });
    });

    it('refuses what the identity rules refuse, and leaves nothing behind', async () => {
      const databasePath = scratchDatabase();
      const error = await setUpNode(databasePath, {
        mode: 'standalone',
        storeId: 'store-9',
        storeCode: 's-9',
        deviceNo: 1,
        currency: 'EUR',
      }).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'INVALID_INPUT' });
      expect((error as Error).message).toMatch(/store code is 1 to 12 capital letters or digits/);
      expect(existsSync(databasePath)).toBe(false);
    });
  });
});
