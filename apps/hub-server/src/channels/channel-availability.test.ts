import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { DomainError } from '@retail/domain';
import { buildApp } from '../api/app';
import { createApiKey } from '../auth/api-keys';
import { createUser, login } from '../auth/users';
import { inHubTransaction } from '../hub-tx';
import { writeCatalog } from '../catalog/catalog-store';
import { readInventoryLevel } from '../inventory/stock-levels';
import { placeOrder } from '../orders/intake';
import { backendKinds } from '../test-support/backends';
import { TEST_SETTINGS, createBopisWorld, type BopisWorld } from '../test-support/bopis-world';
import { sku } from '../test-support/fixtures';
import { setChannelBuffers, setChannelRules } from './channel-config';

describe.each(backendKinds())('channels/channel-availability on %s', (kind) => {
  let world: BopisWorld;
  let app: FastifyInstance;
  let adminKey: string;
  let shopKey: string;

  const call = async (method: 'GET' | 'PUT', url: string, token: string, body?: unknown) => {
    const response = await app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(body === undefined ? {} : { payload: body as object }),
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- responses are checked field by field
    return { status: response.statusCode, body: response.json() as Record<string, any> };
  };

  beforeAll(async () => {
    world = await createBopisWorld(kind, { skus: ['CH1', 'CH2', 'CH3', 'CH4'], poolSize: 16 });
    await inHubTransaction(world.hub, (tx) =>
      writeCatalog(tx, [
        { kind: 'category', data: { categoryId: 'shoes', name: 'Shoes' } },
        { kind: 'sku', data: sku('CH2', { categoryIds: ['shoes'] }) },
      ]),
    );
    ({ app } = await buildApp({ hub: world.hub, orders: { settings: TEST_SETTINGS } }));
    await createUser(world.hub, { username: 'hq', password: 'a long enough password', role: 'admin' });
    adminKey = (await login(world.hub, { username: 'hq', password: 'a long enough password' })).token;
    shopKey = (await createApiKey(world.hub, { name: 'shop', scopes: ['orders:write'] }, 'test')).key;
  });

  afterAll(async () => {
    await app?.close();
    await world?.dispose();
  });

  it('publishes network ATP minus the buffer (SKU first, then category) and serves snapshot then changes', async () => {
    await world.stock('s1', 'CH1', 6);
    await world.stock('s2', 'CH1', 4);
    await world.stock('s3', 'CH2', 3);
    await setChannelBuffers(
      world.hub,
      'marketplace',
      {
        buffers: [
          { scope: 'sku', key: 'CH1', units: 3 },
          { scope: 'category', key: 'shoes', units: 5 },
        ],
      },
      'test',
    );
    const snapshot = await call('GET', '/api/channels/marketplace/availability?limit=2', shopKey);
    expect(snapshot.status).toBe(200);
    expect(snapshot.body.value).toMatchObject({
      mode: 'snapshot',
      nextSku: 'CH2',
      items: [
        { sku: 'CH1', networkAtp: 10, buffer: 3, bufferSource: 'sku', sellable: 7 },
        { sku: 'CH2', networkAtp: 3, buffer: 5, bufferSource: 'category', sellable: 0 },
      ],
    });
    const rest = await call('GET', '/api/channels/marketplace/availability?afterSku=CH2', shopKey);
    expect(rest.body.value.items.map((item: { sku: string }) => item.sku)).toEqual(['CH3', 'CH4']);
    expect(rest.body.value.nextSku).toBeNull();

    await world.stock('s2', 'CH1', -2);
    const changes = await call(
      'GET',
      `/api/channels/marketplace/availability?after=${encodeURIComponent(snapshot.body.value.cursor)}`,
      shopKey,
    );
    expect(changes.body.value).toMatchObject({
      mode: 'changes',
      items: [{ sku: 'CH1', networkAtp: 8, buffer: 3, sellable: 5 }],
      upToDate: true,
    });
    const web = await call(
      'GET',
      `/api/channels/web/availability?after=${changes.body.value.cursor}`,
      shopKey,
    );
    expect(web.body.value.items).toEqual([]);
  });

  it('refuses bad settings with a code and a sentence, writing nothing', async () => {
    const unknownChannel = await call('PUT', '/api/channels/fax', adminKey, { allowSplit: false });
    expect(unknownChannel.status).toBe(400);
    expect(unknownChannel.body.error.code).toBe('INVALID_INPUT');
    const negative = await call('PUT', '/api/channels/web/buffers', adminKey, {
      buffers: [{ scope: 'sku', key: 'CH3', units: -1 }],
    });
    expect(negative.status).toBe(400);
    expect(negative.body.error.message).toMatch(/cannot be negative/);
    const missing = await call('PUT', '/api/channels/web/buffers', adminKey, {
      buffers: [
        { scope: 'sku', key: 'CH3', units: 2 },
        { scope: 'category', key: 'hats', units: 2 },
      ],
    });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/There is no category hats in the catalog/);
    const shopCannot = await call('PUT', '/api/channels/web', shopKey, { allowSplit: false });
    expect(shopCannot.status).toBe(403);
    const config = await call('GET', '/api/channels/web', adminKey);
    expect(config.body.value).toEqual({ channel: 'web', configured: false, allowSplit: true, buffers: [] });
  });

  it('never lets a burst of concurrent orders promise the channel more than the buffer allows', async () => {
    await world.stock('s1', 'CH3', 4);
    await world.stock('s2', 'CH3', 4);
    await world.stock('s3', 'CH3', 4);
    await setChannelRules(world.hub, 'web', { allowSplit: true }, 'test');
    await setChannelBuffers(world.hub, 'web', { buffers: [{ scope: 'sku', key: 'CH3', units: 5 }] }, 'test');
    const attempts = 14;
    const results = await Promise.allSettled(
      Array.from({ length: attempts }, (_, index) =>
        placeOrder(
          world.hub,
          world.orderBody({
            lines: [{ lineId: 'l1', sku: 'CH3', qty: 1 }],
            pickup: { type: 'store', storeId: world.stores[index % 3] as string },
          }),
          randomUUID(),
          'api-key:shop',
          { settings: TEST_SETTINGS },
        ),
      ),
    );
    const placed = results.filter((result) => result.status === 'fulfilled');
    const refused = results.flatMap((result) =>
      result.status === 'rejected' ? [result.reason as unknown] : [],
    );
    expect(placed).toHaveLength(12 - 5);
    expect(refused).toHaveLength(attempts - 7);
    for (const error of refused) {
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({ code: 'INSUFFICIENT_STOCK' });
      expect((error as DomainError).message).toMatch(
        /the web channel may sell only 0 of 1 × SKU CH3 \(network 5, buffer 5\)/,
      );
    }
    let committed = 0;
    for (const nodeId of world.stores)
      committed += (await readInventoryLevel(world.storage.db, nodeId, 'CH3')).committed;
    expect(committed).toBe(7);
  });
});
