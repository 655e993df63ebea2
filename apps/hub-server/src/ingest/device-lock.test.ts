import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHubContext, type HubContext } from '../hub-context';
import { pullFeed } from '../sync/sync-service';
import type { Storage } from '../storage/storage';
import { createTestDatabase, type TestDatabase } from '../test-support/backends';
import { EventFactory, adjustment, enrollTestDevice, movement, seedWorld } from '../test-support/fixtures';
import { pushEvents } from './hub-ingest';

/**
 * The soak's 30-minute run (docs/sync.md): a push of a long backlog held its device's row for longer than
 * the till waits for an answer; the till's pulls (their last_seen_at update) and retried pushes queued
 * behind that row lock, each holding a pooled connection, until the pool was full and every other request,
 * /readyz included, waited for a connection. Here a transaction of the test's own holds the device row,
 * as such a push does, on a hub with a pool of 3: the device's pulls must be answered at once, its pushes
 * told to come back, and another device's push must go through, all while the row is held.
 *
 * PostgreSQL only: row locks exist only there (on SQLite a transaction holds the whole database).
 */
const POOL_SIZE = 3;
/** A generous bound on the whole scenario; the old behaviour waits here until it is reached. */
const SETTLE_MS = 120_000;

describe.skipIf(!process.env.PG_URL)('a device row held by a long push, on postgres', () => {
  let database: TestDatabase;
  let storage: Storage;
  let hub: HubContext;
  let clock = Date.parse('2026-12-06T12:00:00.000Z');
  let busy: { deviceId: string; storeId: string };
  let other: { deviceId: string; storeId: string };

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    storage = await database.open({ poolSize: POOL_SIZE });
    hub = createHubContext(storage, () => clock);
    await seedWorld(hub, { nodes: ['s1'], skus: ['A'] });
    busy = { deviceId: (await enrollTestDevice(hub, 's1', 'Busy lane')).deviceId, storeId: 's1' };
    other = { deviceId: (await enrollTestDevice(hub, 's1', 'Other lane')).deviceId, storeId: 's1' };
  });

  afterAll(async () => {
    await storage?.close();
    await database?.dispose();
  });

  it('answers the held device pulls and a retry, and serves other devices, with the pool never filled', async () => {
    // Long after enrollment: every pull wants to record last_seen_at.
    clock += 60_000;
    const holder = new pg.Client({ connectionString: database.url });
    holder.on('error', () => undefined);
    await holder.connect();
    try {
      await holder.query('begin');
      await holder.query('select * from devices where device_id = $1 for update', [busy.deviceId]);

      const pulls = Array.from({ length: POOL_SIZE * 2 }, () =>
        pullFeed(hub, busy, { cursor: 0, limit: 10 }),
      );
      const retry = pushEvents(hub, busy, { deviceId: busy.deviceId, storeId: 's1', events: [] });
      const events = new EventFactory(other);
      const otherPush = pushEvents(hub, other, {
        deviceId: other.deviceId,
        storeId: 's1',
        events: [events.next('stock.adjusted', adjustment(movement('A', 3)))],
      });
      const outcomes = Promise.allSettled([...pulls, retry, otherPush]);
      let timer: NodeJS.Timeout | undefined;
      const settled = await Promise.race([
        outcomes,
        new Promise<'still waiting'>((resolve) => {
          timer = setTimeout(() => resolve('still waiting'), SETTLE_MS);
        }),
      ]).finally(() => clearTimeout(timer));
      // Released only now, so requests that wait for the row (the old behaviour) show up as still waiting.
      await holder.query('rollback');
      expect(settled, 'requests still queued behind the held device row').not.toBe('still waiting');
      const results = settled as PromiseSettledResult<unknown>[];

      for (const pull of results.slice(0, POOL_SIZE * 2)) expect(pull.status).toBe('fulfilled');
      expect(results[POOL_SIZE * 2]).toMatchObject({
        status: 'rejected',
        reason: { code: 'RATE_LIMITED', details: { retryAfterSeconds: expect.any(Number) } },
      });
      expect(results[POOL_SIZE * 2 + 1]).toMatchObject({
        status: 'fulfilled',
        value: { lastSeq: 1, results: [{ status: 'accepted' }] },
      });
    } finally {
      await holder.end();
    }

    // Once the row is free the retried push is answered as usual, and the pull's seen-at is written.
    const ack = await pushEvents(hub, busy, { deviceId: busy.deviceId, storeId: 's1', events: [] });
    expect(ack.lastSeq).toBe(0);
    clock += 60_000;
    await pullFeed(hub, busy, { cursor: 0, limit: 10 });
    const seen = await storage.db
      .selectFrom('devices')
      .select('last_seen_at')
      .where('device_id', '=', busy.deviceId)
      .executeTakeFirstOrThrow();
    expect(Number(seen.last_seen_at)).toBe(clock);
  });
});
