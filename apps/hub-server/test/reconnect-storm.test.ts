import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import {
  createSocketIoTransport,
  createSyncAgent,
  FEED_ENTITIES,
  type SyncAgent,
  type SyncTransport,
} from '@retail/sync';
import { MemoryFeedStore, MemoryOutboxStore } from '@retail/sync/testing';
import { buildApp, type HubApp } from '../src/api/app';
import { feedHead } from '../src/feed/feed-store';
import { createHubContext, type HubContext } from '../src/hub-context';
import type { Storage } from '../src/storage/storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../src/test-support/backends';
import { enrollTestDevice, seedWorld } from '../src/test-support/fixtures';

/**
 * A reconnect storm after an outage: 200 tills with real enrolled credentials connect over socket.io at
 * the same moment, each with nothing yet, and all need a snapshot. Admission control must turn some of
 * them away with `busy` + retryAfter while the hub keeps answering health checks, and every till must
 * still end at the feed head with the hub's data for its store.
 */

const DEVICES = 200;
const STORES = 10;
const SKUS = 250;
const STORM_BOUND_MS = 900_000;

interface Device {
  readonly storeId: string;
  readonly agent: SyncAgent;
  readonly feed: MemoryFeedStore;
  readonly transport: SyncTransport;
  turnedAway: boolean;
}

async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.each(backendKinds())('reconnect storm on %s', (kind) => {
  let database: TestDatabase;
  let storage: Storage;
  let hub: HubContext;
  let hubApp: HubApp;
  let app: FastifyInstance;
  let url: string;
  const stores = Array.from({ length: STORES }, (_, index) => `storm-${index + 1}`);
  const credentials: { storeId: string; deviceId: string; credential: string }[] = [];
  const devices: Device[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    storage = await database.open();
    hub = createHubContext(storage);
    await seedWorld(hub, {
      nodes: stores,
      skus: Array.from({ length: SKUS }, (_, index) => `STORM-${index}`),
    });
    for (let index = 0; index < DEVICES; index += 1) {
      const storeId = stores[index % STORES]!;
      const enrolled = await enrollTestDevice(hub, storeId, `Lane ${index}`);
      credentials.push({ storeId, deviceId: enrolled.deviceId, credential: enrolled.credential });
    }
    // Short waits so the storm settles within the test's bounds; the shape of admission is the real one.
    hubApp = await buildApp({
      hub,
      rateLimit: { perSecond: 1_000, burst: 2_000 },
      sync: { admission: { maxConcurrent: 2, baseRetryAfterMs: 100, maxRetryAfterMs: 1_000 } },
    });
    app = hubApp.app;
    url = await app.listen({ host: '127.0.0.1', port: 0 });
  });

  afterAll(async () => {
    await Promise.all(devices.map((device) => device.agent.stop()));
    await app?.close();
    await storage?.close();
    await database?.dispose();
  });

  async function expectedFor(storeId: string): Promise<Map<string, string>> {
    const rows = await storage.db
      .selectFrom('feed_changes')
      .select(['entity', 'entity_key', 'data'])
      .where('op', '=', 'upsert')
      .where('scope', 'in', ['*', storeId, 'region:north'])
      .where('entity', 'in', [...FEED_ENTITIES])
      .execute();
    return new Map(rows.map((row) => [`${row.entity}:${row.entity_key}`, row.data ?? 'null']));
  }

  it(
    `serves ${DEVICES} tills connecting at once: some told busy, health answered throughout, all at the head`,
    async () => {
      const head = await feedHead(storage.db);
      expect(head).toBeGreaterThan(SKUS);

      const health: number[] = [];
      let storming = true;
      const probing = (async () => {
        while (storming) {
          // "Answered" is what counts; the abort only keeps a dead hub from hanging the probe, so it is
          // long enough for a busy machine that runs this hub and 200 tills in one process.
          const status = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(60_000) }).then(
            (response) => response.status,
            () => 0,
          );
          health.push(status);
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
      })();

      for (const { storeId, deviceId, credential } of credentials) {
        const transport = createSocketIoTransport({ url, credential, timeoutMs: 15_000 });
        const feed = new MemoryFeedStore();
        const agent = createSyncAgent({
          transport,
          outbox: new MemoryOutboxStore(),
          feed,
          identity: { deviceId, storeId },
          snapshotLimit: 100,
          backoff: { baseMs: 100, capMs: 2_000 },
        });
        const device: Device = { storeId, agent, feed, transport, turnedAway: false };
        agent.onStatus((status) => {
          if (status.error?.code === 'RATE_LIMITED') device.turnedAway = true;
        });
        devices.push(device);
      }
      // All at once, as after an outage.
      for (const device of devices) device.agent.start();

      try {
        await until(
          'every till reaches the feed head',
          () =>
            devices.every(
              (device) => device.feed.current.cursor === head && device.agent.status().state === 'live',
            ),
          // Bounds a hang only: under load (two busy loops beside other work) the storm took over 120 s.
          STORM_BOUND_MS,
        );
      } finally {
        storming = false;
        await probing;
      }

      // Health answered every time it was asked, all through the storm.
      expect(health.length).toBeGreaterThan(5);
      expect(health.filter((status) => status !== 200)).toEqual([]);
      // Admission control turned some tills away and served everyone in the end.
      const stats = hubApp.sync.gateway.admission.stats;
      expect(stats.refused).toBeGreaterThan(0);
      expect(devices.filter((device) => device.turnedAway).length).toBeGreaterThan(0);
      expect(stats.inFlight).toBe(0);
      // Every till holds exactly the hub's data for its store, in one epoch, never moving backwards.
      const epochs = new Set(devices.map((device) => device.feed.current.epoch));
      expect(epochs.size).toBe(1);
      const expected = new Map<string, Map<string, string>>();
      for (const storeId of stores) expected.set(storeId, await expectedFor(storeId));
      for (const device of devices) {
        expect(device.feed.regressions).toEqual([]);
        const want = expected.get(device.storeId)!;
        expect(device.feed.data.size).toBe(want.size);
        for (const [key, data] of want) expect(JSON.stringify(device.feed.data.get(key))).toBe(data);
      }
    },
    STORM_BOUND_MS + 60_000,
  );
});
