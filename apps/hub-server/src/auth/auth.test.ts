import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHubContext, type HubContext } from '../hub-context';
import type { Storage } from '../storage/storage';
import { createTestDatabase, type TestDatabase } from '../test-support/backends';
import { nodeInput } from '../test-support/fixtures';
import { createNode, updateNode } from '../nodes/nodes';
import { authenticateApiKey, createApiKey } from './api-keys';
import { authenticateDevice, createEnrollmentCode, enrollDevice } from './devices';
import { hashPassword, newEnrollmentCode, normalizeEnrollmentCode, verifyPassword } from './secrets';
import {
  authenticateSession,
  createUser,
  login,
  purgeExpiredSessions,
  SESSION_TTL_MS,
  updateUser,
} from './users';

describe('auth/secrets', () => {
  describe('hashPassword', () => {
    it('verifies the right password only, with a fresh salt each time', async () => {
      const first = await hashPassword('correct horse battery');
      const second = await hashPassword('correct horse battery');
      expect(first).toMatch(/^scrypt\$16384\$8\$1\$/);
      expect(first).not.toBe(second);
      expect(await verifyPassword('correct horse battery', first)).toBe(true);
      expect(await verifyPassword('correct horse batterY', first)).toBe(false);
      expect(await verifyPassword('x', 'not-a-hash')).toBe(false);
    });
  });

  describe('normalizeEnrollmentCode', () => {
    it('accepts a code typed in lower case, without dashes, with O for 0 and l for 1', () => {
      const code = newEnrollmentCode();
      expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
      expect(normalizeEnrollmentCode(code.replace(/-/g, '').toLowerCase())).toBe(code);
      expect(normalizeEnrollmentCode('ab0o-1il2-xyz9')).toBe('AB00-1112-XYZ9');
    });
  });
});

describe('auth on sqlite', () => {
  let database: TestDatabase;
  let storage: Storage;
  let hub: HubContext;
  let clock = 1_800_000_000_000;

  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
    storage = await database.open();
    hub = createHubContext(storage, () => clock);
    await createNode(hub, nodeInput('s1'));
  });

  afterAll(async () => {
    await storage?.close();
    await database?.dispose();
  });

  describe('sessions', () => {
    it('ends a session at its expiry, on deactivation, and purges it', async () => {
      const user = await createUser(hub, { username: 'carol', password: 'a long password', role: 'viewer' });
      const { token } = await login(hub, { username: 'carol', password: 'a long password' });
      expect((await authenticateSession(hub, token)).username).toBe('carol');
      clock += SESSION_TTL_MS;
      await expect(authenticateSession(hub, token)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
      expect(await purgeExpiredSessions(hub)).toBe(1);
      const again = await login(hub, { username: 'carol', password: 'a long password' });
      await updateUser(hub, user.userId, { active: false });
      await expect(authenticateSession(hub, again.token)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
      await expect(login(hub, { username: 'carol', password: 'a long password' })).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
      await expect(login(hub, { username: 'nobody', password: 'a long password' })).rejects.toMatchObject({
        code: 'UNAUTHORIZED',
      });
    });
  });

  describe('enrollDevice', () => {
    it('consumes a code once, numbers devices per store, and refuses expired codes', async () => {
      const first = await createEnrollmentCode(hub, 's1', 'test', 60_000);
      const second = await createEnrollmentCode(hub, 's1', 'test', 60_000);
      const [a, b] = await Promise.all([
        enrollDevice(hub, { code: first.code, deviceName: 'Lane 1' }),
        enrollDevice(hub, { code: second.code, deviceName: 'Lane 2' }),
      ]);
      expect([a.deviceNo, b.deviceNo].sort()).toEqual([1, 2]);
      await expect(enrollDevice(hub, { code: first.code, deviceName: 'x' })).rejects.toMatchObject({
        code: 'UNAUTHORIZED',
      });
      expect(await authenticateDevice(storage.db, a.credential)).toEqual({
        deviceId: a.deviceId,
        storeId: 's1',
      });
      await expect(authenticateDevice(storage.db, a.credential.slice(0, -1) + 'x')).rejects.toMatchObject({
        code: 'UNAUTHORIZED',
      });
      const lapsed = await createEnrollmentCode(hub, 's1', 'test', 1000);
      clock += 1000;
      await expect(enrollDevice(hub, { code: lapsed.code, deviceName: 'x' })).rejects.toMatchObject({
        code: 'UNAUTHORIZED',
      });
    });

    it('refuses codes for an inactive node', async () => {
      await createNode(hub, nodeInput('closed'));
      await updateNode(hub, 'closed', { active: false, expectedVersion: 1 });
      await expect(createEnrollmentCode(hub, 'closed', 'test')).rejects.toMatchObject({
        code: 'NOT_ALLOWED',
      });
    });
  });

  describe('authenticateApiKey', () => {
    it('accepts the key it issued and nothing like it', async () => {
      const { key, apiKey } = await createApiKey(
        hub,
        { name: 'shop', scopes: ['inventory:read'] },
        'user:admin',
      );
      expect(await authenticateApiKey(hub, key)).toEqual({
        keyId: apiKey.keyId,
        name: 'shop',
        scopes: ['inventory:read'],
      });
      await expect(authenticateApiKey(hub, `${key}x`)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
      await expect(authenticateApiKey(hub, 'hk_nonsense')).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    });
  });
});
