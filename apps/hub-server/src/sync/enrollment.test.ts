import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticateDevice, createEnrollmentCode, enrollDevice, revokeDevice } from '../auth/devices';
import { createHubContext, type HubContext } from '../hub-context';
import type { Storage } from '../storage/storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../test-support/backends';
import { seedWorld } from '../test-support/fixtures';

describe.each(backendKinds())('sync enrollment on %s', (kind) => {
  let database: TestDatabase;
  let storage: Storage;
  let hub: HubContext;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    storage = await database.open();
    hub = createHubContext(storage);
    await seedWorld(hub, { nodes: ['s1', 's2'], skus: ['A'] });
  });

  afterAll(async () => {
    await storage?.close();
    await database?.dispose();
  });

  describe('enrollDevice', () => {
    it('answers with what a till set up by enrollment needs: ids, number, store facts', async () => {
      const { code } = await createEnrollmentCode(hub, 's1', 'test');
      const enrolled = await enrollDevice(hub, { code, deviceName: 'Lane 1' });
      expect(enrolled).toMatchObject({
        storeId: 's1',
        storeCode: 'S1',
        storeName: 'Node s1',
        currency: 'USD',
        timezone: 'UTC',
        region: 'north',
      });
      expect(enrolled.credential).toMatch(new RegExp(`^dev_${enrolled.deviceId}\\.`));
    });

    it('keeps the id and number of a till set up before enrollment', async () => {
      const deviceId = '01930000-0000-7000-8000-000000000042';
      const { code } = await createEnrollmentCode(hub, 's2', 'test');
      const enrolled = await enrollDevice(hub, {
        code,
        deviceName: 'Lane 7',
        deviceId,
        deviceNo: 7,
        storeId: 's2',
      });
      expect(enrolled).toMatchObject({ deviceId, deviceNo: 7, storeId: 's2' });
    });

    it('refuses a code for another store, a taken id or a taken number, and the code stays usable', async () => {
      const { code } = await createEnrollmentCode(hub, 's2', 'test');
      await expect(enrollDevice(hub, { code, deviceName: 'x', storeId: 's1' })).rejects.toMatchObject({
        code: 'CONFLICT',
        message: expect.stringMatching(/code is for store S2/),
      });
      await expect(
        enrollDevice(hub, { code, deviceName: 'x', deviceId: '01930000-0000-7000-8000-000000000042' }),
      ).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/already enrolled/) });
      await expect(enrollDevice(hub, { code, deviceName: 'x', deviceNo: 7 })).rejects.toMatchObject({
        code: 'CONFLICT',
        message: expect.stringMatching(/device number 7/),
      });
      await expect(enrollDevice(hub, { code, deviceName: 'finally' })).resolves.toMatchObject({
        storeId: 's2',
      });
    });

    describe('a retry with the same key (the till died before it stored the answer)', () => {
      const KEY = 'k'.repeat(43);
      const devicesOf = async (nodeId: string) =>
        storage.db.selectFrom('devices').select('device_id').where('node_id', '=', nodeId).execute();

      it('answers the same device with a new credential, and the first one stops working', async () => {
        await seedWorld(hub, { nodes: ['r1'], skus: [] });
        const { code } = await createEnrollmentCode(hub, 'r1', 'test');
        const first = await enrollDevice(hub, { code, deviceName: 'Lane 1', retryKey: KEY });
        const again = await enrollDevice(hub, { code, deviceName: 'Lane 1', retryKey: KEY });
        expect(again).toMatchObject({ deviceId: first.deviceId, deviceNo: first.deviceNo, storeId: 'r1' });
        expect(again.credential).not.toBe(first.credential);
        await expect(authenticateDevice(storage.db, again.credential)).resolves.toMatchObject({
          deviceId: first.deviceId,
        });
        await expect(authenticateDevice(storage.db, first.credential)).rejects.toMatchObject({
          code: 'UNAUTHORIZED',
        });
        expect(await devicesOf('r1')).toEqual([{ device_id: first.deviceId }]);
      });

      it('refuses another key, no key, an expired code and a revoked device', async () => {
        await seedWorld(hub, { nodes: ['r2'], skus: [] });
        let now = Date.now();
        const clocked = createHubContext(storage, () => now);
        const { code } = await createEnrollmentCode(clocked, 'r2', 'test', 60_000);
        const first = await enrollDevice(clocked, { code, deviceName: 'Lane 1', retryKey: KEY });
        for (const retry of [{ retryKey: 'x'.repeat(43) }, {}]) {
          await expect(enrollDevice(clocked, { code, deviceName: 'Lane 1', ...retry })).rejects.toMatchObject(
            {
              code: 'UNAUTHORIZED',
            },
          );
        }
        await expect(
          enrollDevice(clocked, { code, deviceName: 'Lane 1', retryKey: KEY, deviceNo: first.deviceNo + 1 }),
        ).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
        now += 60_000;
        await expect(
          enrollDevice(clocked, { code, deviceName: 'Lane 1', retryKey: KEY }),
        ).rejects.toMatchObject({
          code: 'UNAUTHORIZED',
        });
        now -= 1;
        await revokeDevice(clocked, first.deviceId);
        await expect(
          enrollDevice(clocked, { code, deviceName: 'Lane 1', retryKey: KEY }),
        ).rejects.toMatchObject({
          code: 'UNAUTHORIZED',
        });
        expect(await devicesOf('r2')).toEqual([{ device_id: first.deviceId }]);
      });
    });
  });
});
