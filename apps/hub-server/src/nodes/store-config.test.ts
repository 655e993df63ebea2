import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../api/app';
import { createUser, login } from '../auth/users';
import { readFeed, readSnapshot } from '../feed/feed-store';
import { createHubContext, type HubContext } from '../hub-context';
import type { Storage } from '../storage/storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../test-support/backends';
import { seedWorld } from '../test-support/fixtures';

const KEY = 'pos.stock.countWriteOffApprovalLimit';

describe.each(backendKinds())('store config on %s', (kind) => {
  let database: TestDatabase;
  let storage: Storage;
  let hub: HubContext;
  let app: FastifyInstance;
  let admin: string;
  let viewer: string;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    storage = await database.open();
    hub = createHubContext(storage);
    await seedWorld(hub, { nodes: ['s1'], skus: ['A'] });
    const password = 'correct horse battery';
    await createUser(hub, { username: 'admin-user', password, role: 'admin' });
    await createUser(hub, { username: 'viewer-user', password, role: 'viewer' });
    admin = (await login(hub, { username: 'admin-user', password })).token;
    viewer = (await login(hub, { username: 'viewer-user', password })).token;
    ({ app } = await buildApp({ hub, sync: { socket: false } }));
  });

  afterAll(async () => {
    await app?.close();
    await storage?.close();
    await database?.dispose();
  });

  const value = (response: { json(): unknown }) => (response.json() as { value: unknown }).value;
  const error = (response: { json(): unknown }) =>
    (response.json() as { error: { code: string; message: string } }).error;

  const send = (method: 'GET' | 'PUT' | 'DELETE', url: string, token: string, payload?: unknown) =>
    app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });

  it('sets a setting for every store through the feed, lists it, and removes it again', async () => {
    expect(value(await send('GET', '/api/store-config', viewer))).toEqual([]);
    const set = await send('PUT', `/api/store-config/${KEY}`, admin, { value: 2_500 });
    expect(set.statusCode).toBe(200);
    expect(value(set)).toEqual({ key: KEY, value: 2_500 });
    expect(value(await send('GET', '/api/store-config', viewer))).toEqual([{ key: KEY, value: 2_500 }]);

    // A store's feed and a new store's snapshot both carry it.
    const page = await readFeed(storage.db, 's1', 0, 1_000);
    expect(page.changes.filter((change) => change.entity === 'config')).toEqual([
      expect.objectContaining({ key: KEY, op: 'upsert', data: { key: KEY, value: 2_500 } }),
    ]);
    const snapshot = await readSnapshot(storage.db, 's1', page.cursor, 0, 1_000);
    expect(snapshot.changes.some((change) => change.entity === 'config' && change.key === KEY)).toBe(true);

    const removed = await send('DELETE', `/api/store-config/${KEY}`, admin);
    expect(value(removed)).toEqual({ done: true });
    expect(value(await send('GET', '/api/store-config', viewer))).toEqual([]);
    const after = await readFeed(storage.db, 's1', page.cursor, 1_000);
    expect(after.changes).toEqual([expect.objectContaining({ entity: 'config', key: KEY, op: 'delete' })]);
  });

  it('refuses values the tills would refuse, unknown settings, and non-admins, with nothing published', async () => {
    const head = (await readFeed(storage.db, 's1', 0, 10_000)).cursor;
    const negative = await send('PUT', `/api/store-config/${KEY}`, admin, { value: -1 });
    expect(negative.statusCode).toBe(400);
    expect(error(negative).code).toBe('INVALID_INPUT');
    expect(error(negative).message).toContain(`The value for ${KEY} is not valid`);
    const huge = await send('PUT', `/api/store-config/${KEY}`, admin, { value: Number.MAX_SAFE_INTEGER });
    expect(huge.statusCode).toBe(400);
    const unknown = await send('PUT', '/api/store-config/pos.nothing.here', admin, { value: 1 });
    expect(unknown.statusCode).toBe(400);
    expect(error(unknown).message).toContain('Unknown setting.');
    const forbidden = await send('PUT', `/api/store-config/${KEY}`, viewer, { value: 1 });
    expect(forbidden.statusCode).toBe(403);
    expect((await readFeed(storage.db, 's1', head, 10_000)).changes).toEqual([]);
  });
});
