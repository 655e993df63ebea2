import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  checkPayload,
  CURRENT_VERSION,
  EVENT_SCHEMAS,
  StockAdjustedV1,
  UPCASTERS,
  type EventPayloads,
} from '@retail/sync';
import { createSeededRandom, ManualScheduler } from '@retail/sync/testing';
import {
  backendKinds,
  createHubWorld,
  enrollTill,
  HUB_SKUS,
  HUB_STORES,
  readInventoryLevel,
  type HubWorld,
} from '@retail/hub-server/testing';
import { openStoreEngine, type StoreEngine } from '../../src/engine/engine';
import { initStoreNode } from '../../src/engine/init';
import { localStock } from '../../src/engine/local-stock';
import { readOutbox } from '../../src/engine/outbox/outbox';
import { readReplica } from '../../src/engine/sync/replica';
import { seededRandom, TEST_PIN_COST } from '../../src/engine/testing/test-node';

/**
 * No event type has a second schema version yet, so this file gives `stock.adjusted` one for its own
 * process (vitest isolates test files): the real schema becomes v2, what tills write today, and v1 is an
 * older shape a till may still hold in its outbox after a week offline and a software update. The hub
 * must take both through its real push path, v1 upcast to v2 before the real applier sees it.
 */
const LegacyStockAdjustedV1 = z.object({
  adjustmentId: z.string().min(1),
  note: z.string().min(1).max(200),
  changes: z
    .array(
      z.object({
        movementId: z.string().min(1),
        sku: z.string().min(1),
        bucket: z.enum(['sellable', 'staged', 'damaged', 'quality_control']),
        qty: z.number().int(),
      }),
    )
    .min(1),
  adjustedAt: z.iso.datetime({ offset: true }),
});
type LegacyStockAdjusted = z.infer<typeof LegacyStockAdjustedV1>;
type StockAdjusted = EventPayloads['stock.adjusted'];

function upcastLegacyAdjusted(payload: unknown): StockAdjusted {
  const legacy = payload as LegacyStockAdjusted;
  return {
    adjustmentId: legacy.adjustmentId,
    reason: legacy.note,
    movements: legacy.changes.map((change) => ({
      movementId: change.movementId,
      sku: change.sku,
      type: 'ADJUSTMENT',
      bucket: change.bucket,
      delta: change.qty,
      // v1 had one note for the whole adjustment; v2 keeps the reason on every movement.
      reason: legacy.note,
    })),
    adjustedAt: legacy.adjustedAt,
  };
}

/** What the old till software wrote for the same adjustment. */
function toLegacy(payload: StockAdjusted): LegacyStockAdjusted {
  return {
    adjustmentId: payload.adjustmentId,
    note: payload.reason,
    changes: payload.movements.map((movement) => {
      if (movement.type !== 'ADJUSTMENT') throw new Error(`unexpected movement type ${movement.type}`);
      return {
        movementId: movement.movementId,
        sku: movement.sku,
        bucket: movement.bucket as LegacyStockAdjusted['changes'][number]['bucket'],
        qty: movement.delta,
      };
    }),
    adjustedAt: payload.adjustedAt,
  };
}

type Registry = Record<string, Record<number, unknown>>;
const schemas = EVENT_SCHEMAS as unknown as Registry;
const upcasters = UPCASTERS as unknown as Registry;
const currentVersions = CURRENT_VERSION as unknown as Record<string, number>;
const original = {
  schemas: schemas['stock.adjusted'],
  upcasters: upcasters['stock.adjusted'],
  current: currentVersions['stock.adjusted'],
};

beforeAll(() => {
  schemas['stock.adjusted'] = { 1: LegacyStockAdjustedV1, 2: StockAdjustedV1 };
  upcasters['stock.adjusted'] = { 1: upcastLegacyAdjusted };
  currentVersions['stock.adjusted'] = 2;
});

afterAll(() => {
  schemas['stock.adjusted'] = original.schemas!;
  if (original.upcasters === undefined) delete upcasters['stock.adjusted'];
  else upcasters['stock.adjusted'] = original.upcasters;
  currentVersions['stock.adjusted'] = original.current!;
});

interface Till {
  readonly engine: StoreEngine;
  readonly session: string;
  readonly dir: string;
}

async function openTill(hub: HubWorld, scheduler: ManualScheduler, index: number): Promise<Till> {
  const store = HUB_STORES[index % HUB_STORES.length]!;
  const dir = mkdtempSync(join(tmpdir(), 'old-event-version-'));
  const file = join(dir, 'store.db');
  const clock = { now: () => scheduler.now() };
  const init = initStoreNode({
    databasePath: file,
    setup: { storeId: store.nodeId, storeCode: store.code, deviceNo: index + 1, currency: 'USD' },
    firstManager: { staffCode: 'M1', name: 'Morgan Manager', pin: '1234' },
    clock,
    randomBytes: seededRandom(31 + index),
    pinCost: TEST_PIN_COST,
  });
  const principal = { deviceId: init.identity.deviceId, storeId: store.nodeId };
  const credential = await enrollTill(hub.hub, { ...principal, deviceNo: init.identity.deviceNo });
  const engine = openStoreEngine({
    databasePath: file,
    clock,
    randomBytes: seededRandom(131 + index),
    pinCost: TEST_PIN_COST,
    sync: {
      scheduler,
      random: createSeededRandom(index + 1),
      transport: () => hub.transportFor(principal, store.region),
    },
  });
  const signedIn = engine.execute('staff-sign-in', { staffCode: 'M1', pin: '1234' });
  if (!signedIn.ok) throw new Error(signedIn.error.message);
  await engine.sync.configure({ hubUrl: 'in-process', credential });
  return { engine, session: signedIn.value.session, dir };
}

async function advanceUntil(
  scheduler: ManualScheduler,
  hub: HubWorld,
  done: () => boolean | Promise<boolean>,
) {
  for (let step = 0; step < 300; step += 1) {
    if (await done()) return;
    await scheduler.advance(1_000);
    // The hub's database work (real time on PostgreSQL) finishes before the next virtual second.
    await hub.idle();
  }
  throw new Error('the tills did not finish syncing within 300 virtual seconds');
}

function adjust(till: Till, sku: string, delta: number, reason: string): void {
  const adjusted = till.engine.execute(
    'stock-adjust',
    { reason, lines: [{ sku, bucket: 'sellable', delta }] },
    { session: till.session },
  );
  if (!adjusted.ok) throw new Error(adjusted.error.message);
}

/** Rewrites the last outbox event as the old till software would have written it (before its update). */
function rewriteLastAs(till: Till, schemaVersion: number, payload: unknown): number {
  const [event] = readOutbox(till.engine.db, 0, 1_000_000).slice(-1);
  if (event === undefined) throw new Error('nothing in the outbox');
  const { db } = till.engine;
  // Outbox rows are immutable; the old software wrote this row in its shape in the first place, so the
  // fixture lifts the guard for this one write and puts the very same trigger back.
  const guard = db
    .prepare("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'outbox_is_append_only'")
    .get() as { sql: string };
  db.transaction(() => {
    db.exec('DROP TRIGGER outbox_is_append_only');
    db.prepare('UPDATE outbox SET schema_version = ?, payload = ? WHERE device_seq = ?').run(
      schemaVersion,
      JSON.stringify(payload),
      event.deviceSeq,
    );
    db.exec(guard.sql);
  })();
  return event.deviceSeq;
}

function pending(till: Till): boolean {
  const status = till.engine.execute('sync-status', {});
  if (!status.ok) throw new Error(status.error.message);
  const written = readOutbox(till.engine.db, 0, 1_000_000).length;
  return status.value.lastAckedSeq < written;
}

describe.each(backendKinds())('old event schema versions through the real hub on %s', (kind) => {
  it('applies a v1 event a till wrote before its update, upcast, next to v2 events, and rejects an invalid v1 with its reason', async () => {
    expect(CURRENT_VERSION['stock.adjusted']).toBe(2);
    const hub = await createHubWorld(kind);
    const scheduler = new ManualScheduler();
    const tills: Till[] = [];
    try {
      tills.push(await openTill(hub, scheduler, 0), await openTill(hub, scheduler, 1));
      const [upgraded, broken] = tills as [Till, Till];
      await advanceUntil(scheduler, hub, () =>
        tills.every((till) => HUB_SKUS.every((id) => readReplica(till.engine.db).has(`sku:${id}`))),
      );

      // A week offline: the old software wrote v1 adjustments, then the till was updated and writes v2.
      hub.setDown(true);
      adjust(upgraded, 'A', 7, 'delivery found in the back');
      const firstLegacy = readOutbox(upgraded.engine.db, 0, 1_000_000).at(-1)!;
      expect(firstLegacy.schemaVersion).toBe(2);
      rewriteLastAs(upgraded, 1, toLegacy(firstLegacy.payload as StockAdjusted));
      adjust(upgraded, 'A', -2, 'dropped jar');
      const secondLegacy = readOutbox(upgraded.engine.db, 0, 1_000_000).at(-1)!;
      rewriteLastAs(upgraded, 1, toLegacy(secondLegacy.payload as StockAdjusted));
      adjust(upgraded, 'A', 3, 'recount after the update');
      adjust(upgraded, 'B', 4, 'recount after the update');

      // A v1 event the old software got wrong: invalid at its own version, so invalid for ever.
      adjust(broken, 'C', 5, 'shelf check');
      const brokenSeq = rewriteLastAs(broken, 1, { note: 'shelf check' });
      adjust(broken, 'C', 2, 'shelf check after the update');
      hub.setDown(false);

      await advanceUntil(scheduler, hub, () => !pending(upgraded) && !pending(broken));

      const log = async (till: Till) =>
        (
          await hub.storage.db
            .selectFrom('ingested_events')
            .select(['device_seq', 'type', 'schema_version', 'status', 'reject_reason', 'envelope'])
            .where('device_id', '=', till.engine.identity.deviceId)
            .orderBy('device_seq')
            .execute()
        ).map((row) => ({ ...row, device_seq: Number(row.device_seq) }));

      const upgradedLog = await log(upgraded);
      expect(upgradedLog.map((row) => [row.device_seq, row.type, row.schema_version, row.status])).toEqual([
        [1, 'stock.adjusted', 1, 'applied'],
        [2, 'stock.adjusted', 1, 'applied'],
        [3, 'stock.adjusted', 2, 'applied'],
        [4, 'stock.adjusted', 2, 'applied'],
      ]);
      // The hub keeps what the till sent (audit), and reading it back upcasts it again.
      const stored = JSON.parse(upgradedLog[0]!.envelope) as { payload: unknown };
      expect(stored.payload).toEqual(toLegacy(firstLegacy.payload as StockAdjusted));
      expect(checkPayload('stock.adjusted', 1, stored.payload)).toEqual({
        ok: true,
        type: 'stock.adjusted',
        payload: firstLegacy.payload,
      });

      // The real applier got the upcast movements: the ledger holds them under the till's movement ids.
      const movements = await hub.storage.db
        .selectFrom('inventory_movements')
        .select(['movement_id', 'sku', 'type', 'bucket', 'delta', 'reason'])
        .where('event_id', 'in', [firstLegacy.eventId, secondLegacy.eventId])
        .orderBy('delta')
        .execute();
      expect(movements.map((row) => ({ ...row, delta: Number(row.delta) }))).toEqual(
        [secondLegacy, firstLegacy].map((event) => {
          const [movement] = (event.payload as StockAdjusted).movements;
          return {
            movement_id: movement!.movementId,
            sku: 'A',
            type: 'ADJUSTMENT',
            bucket: 'sellable',
            delta: movement!.delta,
            reason: (event.payload as StockAdjusted).reason,
          };
        }),
      );
      const store = upgraded.engine.identity.storeId;
      for (const level of localStock(upgraded.engine.db, upgraded.engine.identity, ['A', 'B'])) {
        expect((await readInventoryLevel(hub.storage.db, store, level.sku)).sellable).toBe(level.sellable);
      }
      expect((await readInventoryLevel(hub.storage.db, store, 'A')).sellable).toBe(7 - 2 + 3);

      // The broken v1 is rejected with a reason naming its version, recorded for staff, and does not
      // block the v2 event after it.
      const brokenLog = await log(broken);
      expect(brokenLog.map((row) => [row.device_seq, row.schema_version, row.status])).toEqual([
        [brokenSeq, 1, 'rejected'],
        [brokenSeq + 1, 2, 'applied'],
      ]);
      expect(brokenLog[0]!.reject_reason).toMatch(/^Invalid stock\.adjusted v1 payload at adjustmentId/);
      const status = broken.engine.execute('sync-status', {});
      if (!status.ok) throw new Error(status.error.message);
      expect(status.value.rejected).toEqual([
        expect.objectContaining({ deviceSeq: brokenSeq, reason: brokenLog[0]!.reject_reason }),
      ]);
      const brokenStore = broken.engine.identity.storeId;
      expect((await readInventoryLevel(hub.storage.db, brokenStore, 'C')).sellable).toBe(2);
    } finally {
      for (const till of tills) {
        await till.engine.shutdown();
        rmSync(till.dir, { recursive: true, force: true });
      }
      await hub.close();
    }
  }, 60_000);
});
