import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnrollmentCode, enrollDevice } from '../auth/devices';
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
  });
});
