import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendKinds, createHubContext, revokeDevice, type BackendKind } from '@retail/hub-server/testing';
import { buildCliBundles, removeCliBundles, STORE_CLI, until } from './processes';
import { Driver, SyncWorld, type AckedSale } from './sync-world';

/**
 * A till restored from its own backup, as docs/store-node.md tells an operator to do it, against a real
 * `pos-hub serve` and real `pos-store` processes: `pos-store backup` while the till sells, more sales
 * synced, the till killed, then `pos-store restore` (and, second, the raw file copy an operator might
 * make instead; third, a revoked till re-enrolled with a code).
 * Every sale the cashier saw complete must reach the hub exactly once, no receipt number may stand for
 * two sales unless the hub says so in its exception, and HQ gets one DEVICE_RESTORED exception.
 */

beforeAll(async () => {
  await buildCliBundles();
}, 120_000);

afterAll(() => {
  removeCliBundles();
});

/** `pos-store <args>` as its own process, without blocking this one (the till keeps selling meanwhile). */
function storeCli(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [STORE_CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

async function sellMany(lane: Driver, from: number, count: number): Promise<void> {
  for (let seed = from; seed < from + count; seed += 1) {
    expect(await lane.sell(seed), lane.lastRefusal).toBe(true);
  }
}

/** Every sale the cashier saw complete is one hub sale with its receipt number, none twice. */
async function expectEverySaleAtTheHub(world: SyncWorld): Promise<void> {
  const hubSales = await world.storage.db
    .selectFrom('sales')
    .select(['sale_id', 'receipt_number', 'device_id'])
    .where('node_id', '=', 'store-sp')
    .execute();
  const bySale = new Map(hubSales.map((row) => [row.sale_id, row]));
  expect(hubSales).toHaveLength(new Set(hubSales.map((row) => row.sale_id)).size);
  const missing = world.acked.filter((sale) => !bySale.has(sale.saleId));
  expect(missing, 'paid sales missing at the hub').toEqual([]);
  for (const sale of world.acked) {
    expect(bySale.get(sale.saleId)?.receipt_number, sale.saleId).toBe(sale.receiptNumber);
  }
}

async function restoredExceptions(world: SyncWorld) {
  const rows = await world.storage.db
    .selectFrom('exceptions')
    .select(['type', 'severity', 'details', 'cause_event_ids', 'status'])
    .where('type', 'in', ['DEVICE_RESTORED', 'SEQUENCE_CONFLICT'])
    .orderBy('created_at')
    .orderBy('exception_id')
    .execute();
  return rows.map((row) => ({
    ...row,
    details: JSON.parse(row.details) as Record<string, unknown>,
    causes: JSON.parse(row.cause_event_ids) as string[],
  }));
}

function receiptsOf(sales: readonly AckedSale[]): string[] {
  return sales.map((sale) => sale.receiptNumber);
}

describe.each(backendKinds())(
  'a till restored from its own backup, real processes on %s',
  (kind: BackendKind) => {
    let world: SyncWorld;
    let lane: Driver | null = null;

    beforeAll(async () => {
      world = await SyncWorld.create(kind);
      await world.startHub();
    });

    afterAll(async () => {
      lane?.close();
      await world?.dispose();
    });

    it('pos-store restore: no paid sale lost, no receipt number reused, one exception for HQ', async () => {
      let store = await world.startStore();
      lane = await Driver.connect(world, store, 'lane-1');
      await lane.openShift();
      await sellMany(lane, 0, 4);
      await world.converge(lane);

      // The backup is taken while the cashier keeps selling.
      const backupFile = join(world.dir, 'till-backup.db');
      let selling = true;
      let soldDuringBackup = 0;
      const seller = lane;
      const selling$ = (async () => {
        while (selling && (await seller.sell(100 + soldDuringBackup))) soldDuringBackup += 1;
      })();
      await until('a sale during the backup', () => soldDuringBackup >= 1, 60_000, 5);
      const backup = await storeCli(['backup', '--data', world.storeData, '--out', backupFile]);
      selling = false;
      await selling$;
      expect(backup.code, backup.stderr).toBe(0);
      const ackedBeforeBackupEnded = world.acked.length;

      // More sales after the backup, all synced: the hub holds them, the backup does not.
      await sellMany(lane, 200, 6);
      await world.converge(lane);
      const afterBackup = world.acked.slice(ackedBeforeBackupEnded);
      lane.close();
      lane = null;
      // The till dies (SIGKILL: no shutdown, its token file left behind) and its disk is replaced by the
      // backup while the hub is out of reach; pos-store restore needs no clean-up after a crash.
      await store.kill();
      expect(existsSync(join(world.storeData, 'pos-store.token'))).toBe(true);
      await world.hub!.stop();
      const restored = await storeCli(['restore', '--data', world.storeData, '--from', backupFile]);
      expect(restored.code, restored.stderr).toBe(0);
      expect(restored.stdout).toMatch(/restored store SP1 device 1/);
      expect(restored.stdout).toMatch(/becomes a new device of the store/);

      store = await world.startStore();
      // The backup may hold the sale being rung up on lane-1 when it was taken: this cashier uses lane-3.
      lane = await Driver.connect(world, store, 'lane-3');
      await lane.openShift();
      // Before the hub has answered, the restored till issues no receipt number.
      const held = await lane.send('sync-status', {});
      expect(held.ok && held.value.numberingHold).toMatch(/restored from a backup/);
      expect(await lane.sell(300)).toBe(false);
      expect(lane.lastRefusal).toMatch(/sale-complete: NOT_ALLOWED .*restored from a backup/);

      // The hub comes back: the till finds it holds sales the backup lacks and becomes a new device.
      await world.startHub();
      await lane.send('sync-now', {});
      await until(
        'the restored till re-enrolled as a new device',
        async () => {
          const status = await lane!.status();
          return status.deviceNo !== undefined && status.deviceNo !== 1 && status.numberingHold === null;
        },
        60_000,
        100,
      );
      // stdout is a pipe: the line may arrive after the status the lane read over its socket.
      await until('pos-store says it is device 2 now', () =>
        /is now device 2 of its store/.test(store.output()),
      );
      // The sale that was refused is completed now, under the new device's receipt numbers.
      const open = await lane.send('sale-current', { registerId: 'lane-3' });
      const pending = open.ok ? open.value.sale : null;
      expect(pending).not.toBeNull();
      const completed = await lane.send('sale-complete', { saleId: pending!.saleId });
      expect(completed.ok, JSON.stringify(completed)).toBe(true);
      const receiptNumber = completed.ok ? (completed.value.receiptNumber ?? '') : '';
      expect(receiptNumber).toMatch(/^SP1-2-000001$/);
      world.acked.push({ saleId: pending!.saleId, receiptNumber, lines: pending!.lines.length });
      await sellMany(lane, 400, 5);
      await world.converge(lane);

      await expectEverySaleAtTheHub(world);
      const receipts = receiptsOf(world.acked);
      expect(new Set(receipts).size, 'receipt numbers are unique').toBe(receipts.length);
      expect(receiptsOf(world.acked.slice(-5)).every((receipt) => receipt.startsWith('SP1-2-'))).toBe(true);

      const exceptions = await restoredExceptions(world);
      const restoredOnes = exceptions.filter((row) => row.type === 'DEVICE_RESTORED');
      expect(restoredOnes).toHaveLength(1);
      const details = restoredOnes[0]!.details;
      expect(details).toMatchObject({
        via: 'device',
        oldDevice: { deviceNo: 1 },
        newDevice: { deviceNo: 2 },
        receiptsIssuedTwice: [],
      });
      // What the hub holds only: at least the sales made after the backup, which the restored till lacks.
      const heldOnlyByHub = details['heldOnlyByHub'] as { fromSeq: number; toSeq: number };
      expect(heldOnlyByHub.toSeq - heldOnlyByHub.fromSeq + 1).toBeGreaterThanOrEqual(afterBackup.length);
      expect(restoredOnes[0]!.severity).toBe('warning');
      expect(exceptions.filter((row) => row.type === 'SEQUENCE_CONFLICT')).toEqual([]);

      // The old device is revoked; a receipt the restored till no longer holds is still the hub's sale.
      const devices = await world.storage.db
        .selectFrom('devices')
        .select(['device_no', 'revoked_at'])
        .orderBy('device_no')
        .execute();
      expect(devices.map((row) => [row.device_no, row.revoked_at !== null])).toEqual([
        [1, true],
        [2, false],
      ]);
    }, 240_000);

    it('a raw copy of the data folder: the hub catches the reused numbers and nothing is lost', async () => {
      lane?.close();
      lane = null;
      let store = world.store!;
      lane = await Driver.connect(world, store, 'lane-2');
      await lane.openShift();
      await sellMany(lane, 1_000, 3);
      await world.converge(lane);
      lane.close();
      lane = null;
      await store.stop();
      // An operator copies the stopped till's files instead of using pos-store backup.
      const rawCopy = join(world.dir, 'raw-copy');
      mkdirSync(rawCopy);
      for (const name of ['store.db', 'store.db-wal', 'store.db-shm']) {
        const file = join(world.storeData, name);
        if (existsSync(file)) copyFileSync(file, join(rawCopy, name));
      }
      store = await world.startStore();
      lane = await Driver.connect(world, store, 'lane-2');
      await sellMany(lane, 1_100, 5);
      await world.converge(lane);
      const ackedBeforeCopyBack = world.acked.length;
      lane.close();
      lane = null;
      await store.stop();

      // ... and later puts them back by hand, as the docs once said.
      const aside = join(world.dir, 'aside');
      mkdirSync(aside);
      for (const name of ['store.db', 'store.db-wal', 'store.db-shm']) {
        const file = join(world.storeData, name);
        if (existsSync(file)) renameSync(file, join(aside, name));
        if (existsSync(join(rawCopy, name))) copyFileSync(join(rawCopy, name), file);
      }
      store = await world.startStore();
      lane = await Driver.connect(world, store, 'lane-2');
      // The copy carries no mark, so the till may sell with the old counters until the hub answers a push.
      let sold = 0;
      for (let seed = 1_200; sold < 4 && seed < 1_300; seed += 1) {
        if (await lane.sell(seed)) sold += 1;
      }
      await world.converge(lane);
      await expectEverySaleAtTheHub(world);

      const exceptions = await restoredExceptions(world);
      // Exactly one more: the till became device 3 once, whatever the order its pushes and pulls ran in.
      const restoredOnes = exceptions.filter((row) => row.type === 'DEVICE_RESTORED');
      expect(
        restoredOnes.map((row) => row.details['newDevice']),
        store.output(),
      ).toHaveLength(2);
      const second = restoredOnes[1]!;
      expect(second.details).toMatchObject({ oldDevice: { deviceNo: 2 }, newDevice: { deviceNo: 3 } });
      // A receipt number handed out twice (the hub's sale and the restored till's) is named to HQ.
      const twice = second.details['receiptsIssuedTwice'] as string[];
      const tillReceipts = receiptsOf(world.acked.slice(ackedBeforeCopyBack));
      const hubReceipts = receiptsOf(world.acked.slice(0, ackedBeforeCopyBack));
      expect(twice).toEqual(tillReceipts.filter((receipt) => hubReceipts.includes(receipt)));
      expect(second.severity).toBe(twice.length > 0 ? 'critical' : 'warning');
      // Every sequence conflict the pushes raised was settled by the re-enrollment.
      expect(exceptions.filter((row) => row.type === 'SEQUENCE_CONFLICT' && row.status === 'open')).toEqual(
        [],
      );
    }, 240_000);

    it('pos-store re-enroll: a revoked till becomes a new device with a code and sends its unsent sales', async () => {
      let store = world.store!;
      lane = await Driver.connect(world, store, 'lane-4');
      await lane.openShift();
      // Sales the hub never gets: it is away, and HQ revokes the till meanwhile.
      await world.hub!.stop();
      await sellMany(lane, 2_000, 3);
      const unsent = world.acked.slice(-3);
      lane.close();
      lane = null;
      await store.stop();
      const [device] = await world.storage.db
        .selectFrom('devices')
        .select('device_id')
        .where('revoked_at', 'is', null)
        .execute();
      await revokeDevice(createHubContext(world.storage), device!.device_id);
      await world.startHub();

      const codeFile = join(world.dir, 'code.txt');
      writeFileSync(codeFile, `${world.enrollmentCode()}\n`, { mode: 0o600 });
      const reEnrolled = await storeCli(['re-enroll', '--data', world.storeData, '--enroll-file', codeFile]);
      expect(reEnrolled.code, `${reEnrolled.stderr}\n${store.output()}`).toBe(0);
      expect(reEnrolled.stdout).toMatch(
        /this till is now device 4 of store SP1 \(device 3 is revoked at the hub\)/,
      );

      store = await world.startStore();
      lane = await Driver.connect(world, store, 'lane-4');
      await sellMany(lane, 2_100, 1);
      await world.converge(lane);
      await expectEverySaleAtTheHub(world);
      expect(world.acked.at(-1)!.receiptNumber).toMatch(/^SP1-4-000001$/);
      const restoredOnes = (await restoredExceptions(world)).filter((row) => row.type === 'DEVICE_RESTORED');
      expect(
        restoredOnes.map((row) => row.details['newDevice']),
        store.output(),
      ).toHaveLength(3);
      const third = restoredOnes[2]!;
      expect(third.details).toMatchObject({
        via: 'enrollment-code',
        oldDevice: { deviceNo: 3 },
        newDevice: { deviceNo: 4 },
        heldOnlyByHub: null,
      });
      expect((third.details['resent'] as { count: number }).count).toBeGreaterThanOrEqual(unsent.length);
    }, 240_000);
  },
);
