import { randomBytes, scrypt } from 'node:crypto';
import * as argon2 from '@node-rs/argon2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHubContext, type HubContext } from '../hub-context';
import type { Storage } from '../storage/storage';
import { createTestDatabase, type TestDatabase } from '../test-support/backends';
import { nodeInput } from '../test-support/fixtures';
import { createNode, updateNode } from '../nodes/nodes';
import { authenticateApiKey, createApiKey } from './api-keys';
import { authenticateDevice, createEnrollmentCode, enrollDevice } from './devices';
import {
  hashPassword,
  needsRehash,
  newEnrollmentCode,
  normalizeEnrollmentCode,
  PASSWORD_HASHING,
  verifyPassword,
} from './secrets';
import {
  authenticateSession,
  createUser,
  login,
  purgeExpiredSessions,
  SESSION_TTL_MS,
  updateUser,
} from './users';

/** A hash as hubs before Argon2id stored it: `scrypt$N$r$p$salt$hash`, N=16384. */
function legacyScryptHash(password: string): Promise<string> {
  const salt = randomBytes(16);
  return new Promise((resolve, reject) =>
    scrypt(password, salt, 64, { N: 16384, r: 8, p: 1 }, (error, key) =>
      error
        ? reject(error)
        : resolve(['scrypt', 16384, 8, 1, salt.toString('base64'), key.toString('base64')].join('$')),
    ),
  );
}

describe('auth/secrets', () => {
  describe('hashPassword', () => {
    it('verifies the right password only, with a fresh salt each time', async () => {
      const first = await hashPassword('correct horse battery');
      const second = await hashPassword('correct horse battery');
      expect(first).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      expect(needsRehash(first)).toBe(false);
      expect(first).not.toBe(second);
      expect(await verifyPassword('correct horse battery', first)).toBe(true);
      expect(await verifyPassword('correct horse batterY', first)).toBe(false);
      expect(await verifyPassword('x', 'not-a-hash')).toBe(false);
    });

    it('checks two passwords at a time, queues 64 more and turns the rest away with RATE_LIMITED', async () => {
      const stored = await hashPassword('correct horse battery');
      const outcomes = await Promise.allSettled(
        Array.from({ length: 70 }, () => verifyPassword('correct horse battery', stored)),
      );
      expect(outcomes.filter((outcome) => outcome.status === 'fulfilled' && outcome.value)).toHaveLength(66);
      const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
      expect(refused).toHaveLength(4);
      expect((refused[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'RATE_LIMITED' });
      expect(await verifyPassword('correct horse battery', stored)).toBe(true);
    }, 60_000);

    it('still verifies hashes of the old scrypt scheme, and says they and weaker Argon2 need a rehash', async () => {
      const legacy = await legacyScryptHash('correct horse battery');
      expect(await verifyPassword('correct horse battery', legacy)).toBe(true);
      expect(await verifyPassword('correct horse batterY', legacy)).toBe(false);
      expect(needsRehash(legacy)).toBe(true);
      const weak = await argon2.hash('correct horse battery', { ...PASSWORD_HASHING, memoryCost: 4096 });
      expect(await verifyPassword('correct horse battery', weak)).toBe(true);
      expect(needsRehash(weak)).toBe(true);
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

  describe('login', () => {
    it('rehashes a password stored under the old scheme at the next sign-in, and only on success', async () => {
      const user = await createUser(hub, { username: 'dora', password: 'a long password', role: 'viewer' });
      const legacy = await legacyScryptHash('a long password');
      await storage.db
        .updateTable('hq_users')
        .set({ password_hash: legacy })
        .where('user_id', '=', user.userId)
        .execute();
      const stored = () =>
        storage.db
          .selectFrom('hq_users')
          .select('password_hash')
          .where('user_id', '=', user.userId)
          .executeTakeFirstOrThrow()
          .then((row) => row.password_hash);
      await expect(login(hub, { username: 'dora', password: 'a wrong password' })).rejects.toMatchObject({
        code: 'UNAUTHORIZED',
      });
      expect(await stored()).toBe(legacy);
      await login(hub, { username: 'dora', password: 'a long password' });
      const upgraded = await stored();
      expect(upgraded).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      expect(needsRehash(upgraded)).toBe(false);
      expect((await login(hub, { username: 'dora', password: 'a long password' })).user.username).toBe(
        'dora',
      );
      expect(await stored()).toBe(upgraded);
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
