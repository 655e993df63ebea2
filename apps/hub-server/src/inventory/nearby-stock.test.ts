import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { nearbyStockPath } from '@retail/sync';
import { buildApp } from '../api/app';
import { revokeDevice } from '../auth/devices';
import { createUser, login } from '../auth/users';
import { createHubContext, type HubContext } from '../hub-context';
import { createNode } from '../nodes/nodes';
import type { Storage } from '../storage/storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../test-support/backends';
import { enrollTestDevice, nodeInput, seedWorld } from '../test-support/fixtures';
import { adjustStock } from './stock-operations';
import { rankNearby } from './nearby-stock';

const PARIS = { latitude: 48.8566, longitude: 2.3522 };

describe('rankNearby', () => {
  const candidate = (code: string, region: string, latitude: number | null, longitude: number | null) => ({
    storeId: code.toLowerCase(),
    code,
    name: code,
    region,
    latitude,
    longitude,
    onHand: 0,
    available: 0,
  });

  it('puts located stores by distance first, then unlocated ones of the same region, then by code', () => {
    const ranked = rankNearby({ region: 'north', ...PARIS }, [
      candidate('Z-OTHER', 'south', null, null),
      candidate('FAR', 'north', 45.764, 4.8357),
      candidate('B-NORTH', 'north', null, null),
      candidate('NEAR', 'south', 48.8049, 2.1204),
      candidate('A-NORTH', 'north', null, null),
    ]);
    expect(ranked.map((store) => store.code)).toEqual(['NEAR', 'FAR', 'A-NORTH', 'B-NORTH', 'Z-OTHER']);
    expect(ranked[0]!.distanceMetres).toBeGreaterThan(15_000);
    expect(ranked[0]!.distanceMetres).toBeLessThan(20_000);
    expect(ranked[2]!.distanceMetres).toBeNull();
  });

  it('orders by region when the asking store has no location, and keeps at most the limit', () => {
    const ranked = rankNearby(
      { region: 'south', latitude: null, longitude: null },
      [candidate('N1', 'north', 1, 1), candidate('S2', 'south', 2, 2), candidate('S1', 'south', null, null)],
      2,
    );
    expect(ranked.map((store) => store.code)).toEqual(['S1', 'S2']);
    expect(ranked.every((store) => store.distanceMetres === null)).toBe(true);
  });
});

describe.each(backendKinds())('GET /sync/stock/:sku/nearby on %s', (kind) => {
  let database: TestDatabase;
  let storage: Storage;
  let hub: HubContext;
  let app: FastifyInstance;
  let device: { deviceId: string; credential: string } = { deviceId: '', credential: '' };
  let unlocatedDevice = '';
  let viewerToken = '';

  const get = async (url: string, token: string | undefined) => {
    const response = await app.inject({
      method: 'GET',
      url,
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are checked field by field
    return { status: response.statusCode, body: response.json() as Record<string, any> };
  };

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    storage = await database.open();
    hub = createHubContext(storage);
    await seedWorld(hub, { nodes: [], skus: ['A', 'B'] });
    await createNode(hub, nodeInput('here', { ...PARIS }));
    // Versailles, about 17 km away, in another region: distance wins over region.
    await createNode(hub, nodeInput('near', { region: 'west', latitude: 48.8049, longitude: 2.1204 }));
    // Lyon, about 390 km away.
    await createNode(hub, nodeInput('far', { latitude: 45.764, longitude: 4.8357 }));
    await createNode(hub, nodeInput('unlocated'));
    await createNode(hub, nodeInput('depot', { kind: 'warehouse', ...PARIS }));
    await createNode(hub, nodeInput('closed', { active: false, ...PARIS }));
    for (const [nodeId, sellable] of [
      ['near', 7],
      ['far', 30],
      ['depot', 500],
      ['closed', 9],
    ] as const) {
      await adjustStock(
        hub,
        { nodeId, reason: 'count', lines: [{ sku: 'A', bucket: 'sellable', delta: sellable }] },
        'test',
      );
    }
    // Damaged units are on hand but cannot be sold.
    await adjustStock(
      hub,
      { nodeId: 'near', reason: 'count', lines: [{ sku: 'A', bucket: 'damaged', delta: 2 }] },
      'test',
    );
    device = await enrollTestDevice(hub, 'here');
    unlocatedDevice = (await enrollTestDevice(hub, 'unlocated')).credential;
    await createUser(hub, { username: 'viewer-user', password: 'correct horse battery', role: 'viewer' });
    viewerToken = (await login(hub, { username: 'viewer-user', password: 'correct horse battery' })).token;
    ({ app } = await buildApp({ hub }));
  });

  afterAll(async () => {
    await app?.close();
    await storage?.close();
    await database?.dispose();
  });

  it("lists the other active stores' stock nearest first, without warehouses, closed stores or the asking store", async () => {
    const answer = await get(nearbyStockPath('A'), device.credential);
    expect(answer.status).toBe(200);
    expect(answer.body.value).toMatchObject({
      sku: 'A',
      orderedBy: 'distance',
      stores: [
        { storeId: 'near', code: 'NEAR', name: 'Node near', region: 'west', onHand: 9, available: 7 },
        { storeId: 'far', onHand: 30, available: 30 },
        { storeId: 'unlocated', distanceMetres: null, onHand: 0, available: 0 },
      ],
    });
    const [near, far] = answer.body.value.stores as { distanceMetres: number }[];
    expect(near!.distanceMetres).toBeGreaterThan(15_000);
    expect(near!.distanceMetres).toBeLessThan(far!.distanceMetres);
  });

  it('orders by region for a store the hub has no location for', async () => {
    const answer = await get(nearbyStockPath('B'), unlocatedDevice);
    expect(answer.body.value.orderedBy).toBe('region');
    expect((answer.body.value.stores as { storeId: string }[]).map((store) => store.storeId)).toEqual([
      'far',
      'here',
      'near',
    ]);
  });

  it('answers an unknown SKU with NOT_FOUND and a malformed one with INVALID_INPUT', async () => {
    expect(await get(nearbyStockPath('NOPE'), device.credential)).toMatchObject({
      status: 404,
      body: { ok: false, error: { code: 'NOT_FOUND' } },
    });
    expect(await get(nearbyStockPath('x'.repeat(101)), device.credential)).toMatchObject({
      status: 400,
      body: { ok: false, error: { code: 'INVALID_INPUT' } },
    });
  });

  it('is for enrolled tills only: no credential, an HQ user and a revoked till are refused', async () => {
    expect((await get(nearbyStockPath('A'), undefined)).status).toBe(401);
    expect((await get(nearbyStockPath('A'), viewerToken)).status).toBe(403);
    await revokeDevice(hub, device.deviceId);
    expect((await get(nearbyStockPath('A'), device.credential)).status).toBe(401);
  });
});
