import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import {
  createSocketIoTransport,
  createSyncAgent,
  type PullRequest,
  type SyncAgent,
  type SyncTransport,
} from '@retail/sync';
import { MemoryFeedStore, MemoryOutboxStore } from '@retail/sync/testing';
import { buildApp } from '../api/app';
import { appendFeedChanges } from '../feed/feed-store';
import { createHubContext, type HubContext } from '../hub-context';
import { savePriceEntries } from '../pricing/pricing-store';
import type { Storage } from '../storage/storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../test-support/backends';
import { enrollTestDevice, seedPricing, seedWorld } from '../test-support/fixtures';

/** The transport, numbering pulls as they start and keeping the number of the latest one answered. */
function countingPulls(
  transport: SyncTransport,
  counts: { started: number; answered: number },
): SyncTransport {
  return new Proxy(transport, {
    get(target, property) {
      if (property === 'pull') {
        return async (request: PullRequest) => {
          counts.started += 1;
          const started = counts.started;
          const page = await target.pull(request);
          counts.answered = Math.max(counts.answered, started);
          return page;
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 1500; attempt += 1) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`never happened: ${what}`);
}

/**
 * On PostgreSQL a price change that commits while another store's feed writer is still open sits above
 * the commit watermark: a till pulling then cannot see it, and that writer's own commit pokes only its
 * store. The tills here pull only when poked (their periodic pull is an hour away), so each must be poked
 * again once the watermark passes the price, whichever hub process it is connected to.
 */
describe.runIf(backendKinds().includes('postgres'))('sync pokes for rows held back by an open writer', () => {
  let database: TestDatabase;
  let storageA: Storage;
  let storageB: Storage;
  let hubA: HubContext;
  let apps: FastifyInstance[] = [];
  const agents: SyncAgent[] = [];
  const tills: {
    name: string;
    feed: MemoryFeedStore;
    pulls: { started: number; answered: number };
  }[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    storageA = await database.open();
    storageB = await database.open();
    hubA = createHubContext(storageA);
    const hubB = createHubContext(storageB);
    await seedWorld(hubA, { nodes: ['s1', 's2'], skus: ['A'] });
    await seedPricing(hubA, { skus: ['A'] });
    apps = [(await buildApp({ hub: hubA })).app, (await buildApp({ hub: hubB })).app];
    const urls = [];
    for (const app of apps) urls.push(await app.listen({ host: '127.0.0.1', port: 0 }));
    await until(() => storageB.feedNotifications() === 'listening', 'process B listening');
    for (const [index, url] of urls.entries()) {
      const device = await enrollTestDevice(hubA, 's1', `Lane ${index + 1}`);
      const feed = new MemoryFeedStore();
      const till = {
        name: `till on process ${index === 0 ? 'A' : 'B'}`,
        feed,
        pulls: { started: 0, answered: 0 },
      };
      const transport = createSocketIoTransport({ url, credential: device.credential, timeoutMs: 30_000 });
      const agent = createSyncAgent({
        transport: countingPulls(transport, till.pulls),
        outbox: new MemoryOutboxStore(),
        feed,
        identity: { deviceId: device.deviceId, storeId: device.storeId },
        livePullIntervalMs: 60 * 60_000,
      });
      tills.push(till);
      agents.push(agent);
      agent.start();
    }
    await until(() => agents.every((agent) => agent.status().state === 'live'), 'both tills live');
  });

  afterAll(async () => {
    await Promise.all(agents.map((agent) => agent.stop()));
    for (const app of apps) await app.close();
    await storageA?.close();
    await storageB?.close();
    await database?.dispose();
  });

  function priceHeld(feed: MemoryFeedStore, unitPrice: number): boolean {
    return [...feed.data.values()].some((value) => {
      const entry = value as { sku?: string; tiers?: { unitPrice: number }[] };
      return entry.sku === 'A' && entry.tiers?.[0]?.unitPrice === unitPrice;
    });
  }

  /** Makes every till pull now and waits until the hub has answered a pull each started after this. */
  async function pullNow(): Promise<void> {
    const before = tills.map((till) => till.pulls.started);
    for (const agent of agents) agent.syncNow();
    await until(
      () => tills.every((till, index) => till.pulls.answered > before[index]!),
      'every till pulled',
    );
  }

  /** Runs `during` while a feed writer of store s2 is open (its hubSeq below everything `during` writes). */
  async function besideOpenWriter(end: 'commit' | 'rollback', during: () => Promise<void>): Promise<void> {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let allocated!: () => void;
    const hasAllocated = new Promise<void>((resolve) => (allocated = resolve));
    const writer = storageA.transaction(async (trx) => {
      await appendFeedChanges(
        trx,
        storageA,
        [
          {
            entity: 'config',
            key: `held-${Date.now()}`,
            op: 'upsert',
            data: { key: 'held', value: 1 },
            scope: 's2',
          },
        ],
        Date.now(),
      );
      allocated();
      await released;
      if (end === 'rollback') throw new Error('rolled back on purpose');
    });
    await Promise.race([hasAllocated, writer]);
    try {
      await during();
    } finally {
      release();
      await writer.catch((error: unknown) => {
        if (end === 'commit') throw error;
      });
    }
  }

  it('pokes a till again once the open writer commits, on this process and the other', async () => {
    await besideOpenWriter('commit', async () => {
      await savePriceEntries(
        hubA,
        'pb-chain',
        { entries: [{ sku: 'A', tiers: [{ minQty: 1, unitPrice: 4321 }] }] },
        'hq',
      );
      // Each till pulls while the writer below the price is still open: the price is held back from it.
      await pullNow();
      for (const till of tills) expect(priceHeld(till.feed, 4321), till.name).toBe(false);
    });
    for (const till of tills)
      await until(() => priceHeld(till.feed, 4321), `${till.name} holds the new price`);
  });

  it('pokes a till again when the open writer rolls back, with nothing announced', async () => {
    await besideOpenWriter('rollback', async () => {
      await savePriceEntries(
        hubA,
        'pb-chain',
        { entries: [{ sku: 'A', tiers: [{ minQty: 1, unitPrice: 5432 }] }] },
        'hq',
      );
      await pullNow();
      for (const till of tills) expect(priceHeld(till.feed, 5432), till.name).toBe(false);
    });
    for (const till of tills)
      await until(() => priceHeld(till.feed, 5432), `${till.name} holds the new price`);
  });
});
