import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendKinds, readFeedEpoch, type BackendKind } from '@retail/hub-server/testing';
import { buildCliBundles, removeCliBundles, runHubCommand, until } from './processes';
import { Driver, STORE_ID, SyncWorld } from './sync-world';

/**
 * The hub backup and restore drill of docs/hub-backup.md with real processes: a `pos-hub serve` and a
 * `pos-store` till selling on two lanes. `pos-hub backup` runs while both lanes sell, more sales reach the
 * hub after it, then the hub is stopped and `pos-hub restore` puts the older backup back. When the hub
 * comes back the till finds it behind what it once acknowledged and sends again what the backup lacks:
 * every sale the cashiers saw complete ends at the hub exactly once, and the till re-snapshots the new epoch.
 */

beforeAll(async () => {
  await buildCliBundles();
}, 120_000);

afterAll(() => {
  removeCliBundles();
});

async function hubSaleIds(world: SyncWorld): Promise<string[]> {
  const rows = await world.storage.db
    .selectFrom('sales')
    .select('sale_id')
    .where('node_id', '=', STORE_ID)
    .execute();
  return rows.map((row) => row.sale_id);
}

/** Sells on both lanes at once until `stop` says so; each lane stops at its first refusal. */
function sellOnBothLanes(lanes: readonly Driver[], firstSeed: number, stop: () => boolean): Promise<void[]> {
  return Promise.all(
    lanes.map(async (lane, index) => {
      for (let seed = firstSeed + index * 1_000; !stop() && (await lane.sell(seed)); seed += 1);
    }),
  );
}

/** `count` sales on each lane, side by side; every one must complete. */
function sellEach(lanes: readonly Driver[], firstSeed: number, count: number): Promise<void[]> {
  return Promise.all(
    lanes.map(async (lane, index) => {
      for (let offset = 0; offset < count; offset += 1) {
        expect(await lane.sell(firstSeed + index * 1_000 + offset), lane.lastRefusal).toBe(true);
      }
    }),
  );
}

describe.each(backendKinds())('hub backup and restore drill, real processes on %s', (kind: BackendKind) => {
  let world: SyncWorld;
  const lanes: Driver[] = [];

  beforeAll(async () => {
    world = await SyncWorld.create(kind);
    await world.startHub();
  });

  afterAll(async () => {
    for (const lane of lanes) lane.close();
    await world?.dispose();
  });

  it('restores an older backup under a running till: every sale exactly once, re-sent by the till', async () => {
    const store = await world.startStore();
    for (const register of ['lane-1', 'lane-2']) {
      const lane = await Driver.connect(world, store, register);
      await lane.openShift();
      lanes.push(lane);
    }
    await sellEach(lanes, 0, 3);
    await world.converge(lanes[0]!);

    // The backup is taken while both lanes sell and the hub applies their pushes.
    const backupFile = join(world.dir, 'hub-backups', 'hub-1.backup');
    let selling = true;
    const during = sellOnBothLanes(lanes, 10_000, () => !selling);
    await until('sales on both lanes while the backup runs', () => world.acked.length >= 10, 60_000, 10);
    const backup = runHubCommand(['backup', '--db', world.database.url, '--out', backupFile]);
    selling = false;
    await during;
    expect(backup.status, backup.stderr).toBe(0);
    expect(JSON.parse(backup.stdout)).toMatchObject({ kind, file: backupFile });
    // Backups never overwrite.
    const again = runHubCommand(['backup', '--db', world.database.url, '--out', backupFile]);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/already exists/);

    // More sales after the backup, all acknowledged by the hub: the backup lacks them.
    const ackedAtBackupEnd = world.acked.length;
    await sellEach(lanes, 20_000, 5);
    await world.converge(lanes[0]!);
    const afterBackup = world.acked.slice(ackedAtBackupEnd);
    expect(afterBackup).toHaveLength(10);
    const epochBefore = await readFeedEpoch(world.storage.db);

    // Restore refuses while the hub serves the database.
    await world.closeStorage();
    const restore = () =>
      runHubCommand([
        'restore',
        '--db',
        world.database.url,
        '--from',
        backupFile,
        '--feed-marker',
        world.markerPath,
      ]);
    const refused = restore();
    expect(refused.status, refused.stderr).toBe(1);
    expect(refused.stderr).toMatch(/Stop every pos-hub serve/);

    // The operator stops the hub and restores; the till keeps selling offline meanwhile.
    await world.hub!.stop();
    await sellEach(lanes, 30_000, 2);
    const restored = restore();
    expect(restored.status, restored.stderr).toBe(0);
    const result = JSON.parse(restored.stdout) as {
      replaced: string;
      feedEpoch: string;
      backupEpoch: string;
    };
    expect(result.backupEpoch).toBe(epochBefore);
    expect(result.feedEpoch).not.toBe(epochBefore);
    expect(existsSync(result.replaced), 'the replaced database is kept').toBe(true);

    // The restored hub lacks what was sold after the backup: the test would pass without a restore otherwise.
    await world.reopenStorage();
    const atRestore = new Set(await hubSaleIds(world));
    const lacking = afterBackup.filter((sale) => !atRestore.has(sale.saleId));
    expect(lacking).toHaveLength(afterBackup.length);
    expect(await readFeedEpoch(world.storage.db)).toBe(result.feedEpoch);

    // The hub comes back; the till reconnects by itself, re-sends, re-snapshots and keeps selling.
    await world.startHub();
    await until(
      'the till is on the restored hub’s new epoch',
      async () => (await lanes[0]!.status()).feedEpoch === result.feedEpoch,
      180_000,
      200,
    );
    await sellEach(lanes, 40_000, 2);
    await world.converge(lanes[0]!);

    // Every event the till wrote is at the hub once, in its numbering; every sale once with its ledger rows.
    await world.verify();
    const hubSales = await hubSaleIds(world);
    expect(new Set(hubSales).size).toBe(hubSales.length);
    expect(new Set(hubSales)).toEqual(new Set(world.acked.map((sale) => sale.saleId)));
    // The till was not mistaken for a restored copy of itself, and nothing waits in the exception queue.
    const exceptions = await world.storage.db
      .selectFrom('exceptions')
      .select(['type', 'details'])
      .where('type', 'in', ['DEVICE_RESTORED', 'SEQUENCE_CONFLICT', 'PUSH_REFUSED', 'REJECTED_EVENT'])
      .execute();
    expect(exceptions).toEqual([]);
    // serve found the marker already told of the restore: no second epoch.
    expect(await readFeedEpoch(world.storage.db)).toBe(result.feedEpoch);
  }, 480_000);
});
