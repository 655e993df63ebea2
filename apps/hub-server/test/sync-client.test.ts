import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createHttpTransport, createSyncAgent, StockLevelSchema, type SyncAgentStatus } from '@retail/sync';
import { MemoryFeedStore, MemoryOutboxStore } from '@retail/sync/testing';
import { buildApp } from '../src/api/app';
import { createEnrollmentCode, listDeviceStatus } from '../src/auth/devices';
import { createHubContext, type HubContext } from '../src/hub-context';
import { verifyProjections } from '../src/inventory/ledger-reads';
import { readInventoryLevel } from '../src/inventory/stock-levels';
import type { Storage } from '../src/storage/storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../src/test-support/backends';
import { adjustment, EventFactory, movement, saleOf, seedWorld } from '../src/test-support/fixtures';

/** The store side's own sync agent (packages/sync) against a real hub over HTTP on 127.0.0.1. */
describe.each(backendKinds())('sync agent against the hub on %s', (kind) => {
  let database: TestDatabase;
  let storage: Storage;
  let hub: HubContext;
  let app: FastifyInstance;
  let baseUrl: string;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    storage = await database.open();
    hub = createHubContext(storage);
    await seedWorld(hub, { nodes: ['s1', 's2'], skus: ['A', 'B'] });
    ({ app } = await buildApp({ hub }));
    baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  });

  afterAll(async () => {
    await app?.close();
    await storage?.close();
    await database?.dispose();
  });

  async function until(check: () => boolean, what: () => string): Promise<void> {
    for (let attempt = 0; attempt < 1200; attempt += 1) {
      if (check()) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`never converged: ${what()}`);
  }

  async function enrollOverHttp(nodeId: string) {
    const { code } = await createEnrollmentCode(hub, nodeId, 'test');
    const enrolled = await fetch(`${baseUrl}/sync/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code, deviceName: 'Lane 1' }),
    });
    return ((await enrolled.json()) as { value: { deviceId: string; storeId: string; credential: string } })
      .value;
  }

  it('pushes the outbox exactly once and replicates the store’s stock levels with its reflected seqs', async () => {
    const { code } = await createEnrollmentCode(hub, 's1', 'test');
    const enrolled = await fetch(`${baseUrl}/sync/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code, deviceName: 'Lane 1' }),
    });
    const device = (
      (await enrolled.json()) as { value: { deviceId: string; storeId: string; credential: string } }
    ).value;
    const identity = { deviceId: device.deviceId, storeId: device.storeId };

    const outbox = new MemoryOutboxStore();
    const events = new EventFactory(identity);
    outbox.append([
      events.next('stock.adjusted', adjustment(movement('A', 20), movement('B', 5))),
      ...Array.from({ length: 30 }, () => events.next('sale.completed', saleOf([{ sku: 'A', qty: 1 }]))),
      events.next('stock.adjusted', adjustment(movement('NOT-IN-CATALOG', 1))),
    ]);
    const feed = new MemoryFeedStore();
    const agent = createSyncAgent({
      transport: createHttpTransport({ baseUrl, credential: device.credential }),
      outbox,
      feed,
      identity,
      batchSize: 7,
      pullLimit: 3,
      livePullIntervalMs: 100,
    });
    let status: SyncAgentStatus | undefined;
    agent.onStatus((next) => (status = next));
    agent.start();
    try {
      await until(
        () => outbox.acknowledged === 32 && feed.data.has('stock_level:s1:A') && status?.pendingEvents === 0,
        () => `acked ${outbox.acknowledged}, status ${JSON.stringify(status)}`,
      );
      await until(
        () =>
          StockLevelSchema.safeParse(feed.data.get('stock_level:s1:A')).data?.deviceSeqs[
            identity.deviceId
          ] === 32,
        () => JSON.stringify(feed.data.get('stock_level:s1:A')),
      );
    } finally {
      await agent.stop();
    }

    const level = StockLevelSchema.parse(feed.data.get('stock_level:s1:A'));
    expect(level.sellable).toBe(20 - 30);
    expect((await readInventoryLevel(storage.db, 's1', 'A')).sellable).toBe(-10);
    expect(status?.rejected.map((r) => r.deviceSeq)).toEqual([32]);
    expect(feed.data.has('sku:A')).toBe(true);
    expect(feed.data.has('store:s2')).toBe(true);
    expect([...feed.data.keys()].some((key) => key.startsWith('stock_level:s2:'))).toBe(false);
    expect(feed.regressions).toEqual([]);
    expect(await verifyProjections(storage.db)).toEqual([]);
    const applied = await storage.db
      .selectFrom('ingested_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('device_id', '=', identity.deviceId)
      .executeTakeFirstOrThrow();
    expect(Number(applied.n)).toBe(32);
  });

  it('leaves HQ a backlog of 0 for a till that has pushed everything, in the metric and the devices list', async () => {
    const device = await enrollOverHttp('s2');
    const identity = { deviceId: device.deviceId, storeId: device.storeId };
    const outbox = new MemoryOutboxStore();
    const events = new EventFactory(identity);
    outbox.append([
      events.next('stock.adjusted', adjustment(movement('B', 5))),
      ...Array.from({ length: 4 }, () => events.next('sale.completed', saleOf([{ sku: 'B', qty: 1 }]))),
    ]);
    const agent = createSyncAgent({
      transport: createHttpTransport({ baseUrl, credential: device.credential }),
      outbox,
      feed: new MemoryFeedStore(),
      identity,
      batchSize: 2,
      livePullIntervalMs: 100,
    });
    agent.start();
    try {
      await until(
        () => outbox.acknowledged === 5,
        () => `acked ${outbox.acknowledged}`,
      );
    } finally {
      await agent.stop();
    }
    const [status] = (await listDeviceStatus(storage.db, 's2')).filter((d) => d.deviceId === device.deviceId);
    expect(status).toMatchObject({ lastSeq: 5, outboxPending: 0, outboxOldestAt: null });
    const metrics = await (await fetch(`${baseUrl}/metrics`)).text();
    const backlog = metrics
      .split('\n')
      .find((line) => line.startsWith('hub_device_outbox_pending{') && line.includes(device.deviceId));
    expect(backlog).toMatch(/ 0$/);
  });
});
