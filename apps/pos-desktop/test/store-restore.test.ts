import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Result } from '@retail/domain';
import {
  backendKinds,
  getLoggedEvent,
  readInventoryLevel,
  revokeDevice,
  startTestHub,
  eventually,
  type HubContext,
  type Storage,
  type TestHub,
} from '@retail/hub-server/testing';
import { backupDatabase } from '../src/cli/backup';
import { restoreDatabase } from '../src/cli/restore';
import type { CommandInput, CommandName, CommandResponse } from '../src/shared/commands';
import { openStoreEngine, type StoreEngine } from '../src/engine/engine';
import { initStoreNode } from '../src/engine/init';
import { localStock } from '../src/engine/local-stock';
import { readOutbox } from '../src/engine/outbox/outbox';
import { TEST_PIN_COST, expectOk, tempDir } from '../src/engine/testing/test-node';

/**
 * A till restored from its own backup, end to end in one process: the REAL hub (its HTTP API and sync
 * endpoints on 127.0.0.1, both backends) and a REAL store engine syncing with it over HTTP, its
 * database backed up, replaced and restored with the CLI's own functions. The process-level run of the
 * same story is test/sync-process/store-restore.test.ts.
 */

const BARCODE = '4006381333931';

interface Till {
  engine: StoreEngine;
  run<N extends CommandName>(name: N, input: CommandInput<N>): Promise<Result<CommandResponse<N>>>;
  ok<N extends CommandName>(name: N, input: CommandInput<N>): Promise<CommandResponse<N>>;
}

interface Sold {
  readonly saleId: string;
  readonly receiptNumber: string;
}

describe.each(backendKinds())('a till restored from its own backup, with the real hub on %s', (kind) => {
  let world: TestHub;
  let storage: Storage;
  let hub: HubContext;
  let hubUrl: string;
  const dirs: { remove(): void }[] = [];
  let open: StoreEngine | null = null;

  beforeAll(async () => {
    world = await startTestHub({
      kind,
      stores: [{ nodeId: 'store-r', code: 'SR', name: 'Restore Street', pickupEnabled: false }],
      items: [{ sku: 'WIDGET', productId: 'P-W', name: 'Widget', barcode: BARCODE, unitPrice: 500 }],
    });
    ({ storage, hub } = world);
    hubUrl = world.url;
  });

  afterEach(async () => {
    await open?.shutdown();
    open = null;
  });

  afterAll(async () => {
    await world?.close();
    for (const dir of dirs) dir.remove();
  });

  /** A till set up and enrolled as device `deviceNo` of the store, with its data folder. */
  async function newTill(deviceNo: number): Promise<{ dir: string; credential: string; deviceId: string }> {
    const dir = tempDir('store-restore-');
    dirs.push(dir);
    const init = initStoreNode({
      databasePath: join(dir.path, 'store.db'),
      setup: { storeId: 'store-r', storeCode: 'SR', deviceNo, currency: 'EUR', timezone: 'Europe/Paris' },
      firstManager: { staffCode: 'M1', name: 'Morgan', pin: '1234' },
      pinCost: TEST_PIN_COST,
    });
    const credential = await world.enrollTill({
      storeId: 'store-r',
      deviceId: init.identity.deviceId,
      deviceNo,
      deviceName: 'Lane',
    });
    const till = openTill(dir.path);
    await till.engine.sync.configure({ hubUrl, credential });
    await till.engine.shutdown();
    open = null;
    return { dir: dir.path, credential, deviceId: init.identity.deviceId };
  }

  function openTill(
    dir: string,
    sync: { readonly errorRetryMs?: number; readonly fetch?: typeof fetch } = {},
  ): Till {
    const engine = openStoreEngine({
      databasePath: join(dir, 'store.db'),
      pinCost: TEST_PIN_COST,
      sync: {
        transport: 'http',
        tuning: {
          livePullIntervalMs: 150,
          backoff: { baseMs: 40, capMs: 300 },
          errorRetryMs: sync.errorRetryMs ?? 300,
        },
        ...(sync.fetch === undefined ? {} : { fetch: sync.fetch }),
      },
    });
    open = engine;
    const session = expectOk(engine.execute('staff-sign-in', { staffCode: 'M1', pin: '1234' })).session;
    return {
      engine,
      run: (name, input) => engine.executeAsync(name, input, { session }),
      ok: async (name, input) => expectOk(await engine.executeAsync(name, input, { session })),
    };
  }

  async function ringUp(till: Till): Promise<string> {
    if ((await till.ok('shift-current', {})).shift === null) await till.ok('shift-open', { float: 10_000 });
    await eventually('the catalog', async () => (await till.run('catalog-scan', { code: BARCODE })).ok);
    const sale = await till.ok('sale-start', {});
    await till.ok('sale-add-line', { saleId: sale.saleId, code: BARCODE });
    const view = await till.ok('sale-get', { saleId: sale.saleId });
    await till.ok('sale-add-tender', {
      saleId: sale.saleId,
      tender: { type: 'card', amount: view.payment.remaining, reference: 'AUTH' },
    });
    return sale.saleId;
  }

  async function sell(till: Till, sold: Sold[], count: number): Promise<void> {
    for (let index = 0; index < count; index += 1) {
      const saleId = await ringUp(till);
      const done = await till.ok('sale-complete', { saleId });
      sold.push({ saleId, receiptNumber: done.receiptNumber! });
    }
  }

  function drained(till: Till): Promise<unknown> {
    return eventually('the till sent everything and is live', () => {
      const status = expectOk(till.engine.execute('sync-status', {}));
      return status.pendingEvents === 0 && status.state === 'live' && status.numberingHold === null;
    });
  }

  async function hubSales(): Promise<Map<string, string>> {
    const rows = await storage.db
      .selectFrom('sales')
      .select(['sale_id', 'receipt_number'])
      .where('node_id', '=', 'store-r')
      .execute();
    return new Map(rows.map((row) => [row.sale_id, row.receipt_number]));
  }

  async function restoredException(deviceId: string) {
    const rows = await storage.db
      .selectFrom('exceptions')
      .select(['exception_id', 'severity', 'details', 'cause_event_ids'])
      .where('type', '=', 'DEVICE_RESTORED')
      .execute();
    const found = rows
      .map((row) => ({ ...row, details: JSON.parse(row.details) as Record<string, unknown> }))
      .filter((row) => row.details['deviceId'] === deviceId);
    expect(found).toHaveLength(1);
    return { ...found[0]!, causes: JSON.parse(found[0]!.cause_event_ids) as string[] };
  }

  /** Local stock equals the hub's once nothing is pending: the till reads the hub's figures right. */
  async function expectStockAgrees(till: Till): Promise<void> {
    await eventually('the stock figure reflects every sale', async () => {
      const [local] = localStock(till.engine.db, till.engine.identity, ['WIDGET']);
      const atHub = await readInventoryLevel(storage.db, 'store-r', 'WIDGET');
      return local!.pendingMovements === 0 && local!.sellable === atHub.sellable;
    });
  }

  it('restores with pos-store restore: holds receipts until the hub answers, then continues as a new device', async () => {
    const { dir, deviceId } = await newTill(1);
    let till = openTill(dir);
    const sold: Sold[] = [];
    await sell(till, sold, 3);
    await drained(till);
    const backupFile = join(dir, '..', `${deviceId}.backup.db`);
    await backupDatabase(dir, backupFile);
    await sell(till, sold, 4);
    await drained(till);
    await till.engine.shutdown();

    const restored = await restoreDatabase(dir, backupFile, Date.now());
    rmSync(backupFile);
    expect(restored).toMatchObject({ lastDeviceSeq: expect.any(Number), enrolled: true });
    expect(restored.replacedDir).not.toBeNull();
    expect(existsSync(join(restored.replacedDir!, 'store.db'))).toBe(true);

    // Offline, the restored till may ring up but completes no sale: its counters may be the hub's already.
    till = openTill(dir);
    await till.engine.sync.stop();
    const heldSale = await ringUp(till);
    // What writes no receipt number still works, and is sent later as the device the till turns out to be.
    await till.ok('shift-cash-in', { amount: 1_000, reason: 'change for the float' });
    const refused = await till.run('sale-complete', { saleId: heldSale });
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.error).toMatchObject({ code: 'NOT_ALLOWED' });
    expect(expectOk(till.engine.execute('sync-status', {})).numberingHold).toMatch(/restored from a backup/);

    till.engine.sync.start();
    await eventually('a new device', () => till.engine.identity.deviceNo === 2);
    const completed = await till.ok('sale-complete', { saleId: heldSale });
    expect(completed.receiptNumber).toBe('SR-2-000001');
    sold.push({ saleId: heldSale, receiptNumber: completed.receiptNumber! });
    await sell(till, sold, 2);
    await drained(till);

    const atHub = await hubSales();
    for (const sale of sold) expect(atHub.get(sale.saleId), sale.receiptNumber).toBe(sale.receiptNumber);
    expect(atHub.size).toBe(sold.length);
    expect(new Set(sold.map((sale) => sale.receiptNumber)).size).toBe(sold.length);

    const exception = await restoredException(deviceId);
    expect(exception.severity).toBe('warning');
    expect(exception.details).toMatchObject({
      via: 'device',
      newDevice: { deviceNo: 2 },
      heldOnlyByHub: { fromSeq: restored.lastDeviceSeq + 1 },
      receiptsIssuedTwice: [],
    });
    // The cash-in written on hold was sent again as the new device's first event, readable at the hub.
    const outbox = readOutbox(till.engine.db, 0, 10_000);
    const cashIn = outbox.filter((event) => event.type === 'shift.cash_moved').at(-1)!;
    expect(exception.causes).toEqual([cashIn.eventId]);
    expect(exception.details['resent']).toMatchObject({ count: 1, newFromSeq: 1, newToSeq: 1 });
    const first = await getLoggedEvent(storage.db, cashIn.eventId);
    expect(first).toMatchObject({ deviceId: till.engine.identity.deviceId, deviceSeq: 1, status: 'applied' });
    expect(first.envelope.payload).toEqual(cashIn.payload);
    await expectStockAgrees(till);
  });

  it('catches a raw copy of the data folder by the numbers the hub holds, and loses nothing', async () => {
    const { dir, deviceId } = await newTill(3);
    let till = openTill(dir);
    const sold: Sold[] = [];
    await sell(till, sold, 2);
    await drained(till);
    await till.engine.shutdown();
    const copy = join(dir, 'raw-copy.db');
    copyFileSync(join(dir, 'store.db'), copy);
    till = openTill(dir);
    await sell(till, sold, 3);
    await drained(till);
    await till.engine.shutdown();
    for (const suffix of ['-wal', '-shm']) rmSync(join(dir, `store.db${suffix}`), { force: true });
    copyFileSync(copy, join(dir, 'store.db'));

    // Offline, the copy cannot know: it sells with the old counters, receipts the hub already holds.
    till = openTill(dir);
    await till.engine.sync.stop();
    const offline: Sold[] = [];
    await sell(till, offline, 2);
    till.engine.sync.start();
    await eventually('a new device', () => till.engine.identity.deviceNo !== 3);
    await drained(till);
    sold.push(...offline);

    const atHub = await hubSales();
    for (const sale of sold) expect([...atHub.keys()]).toContain(sale.saleId);
    const exception = await restoredException(deviceId);
    expect(exception.severity).toBe('critical');
    expect(exception.details['receiptsIssuedTwice']).toEqual(offline.map((sale) => sale.receiptNumber));
    await expectStockAgrees(till);
  });

  it('re-enrolls a revoked restored till with a code from HQ, carrying its unsent sales', async () => {
    const { dir, deviceId } = await newTill(5);
    let till = openTill(dir);
    const sold: Sold[] = [];
    await sell(till, sold, 2);
    await drained(till);
    await till.engine.sync.stop();
    // Sales the hub never got, then HQ revokes the device (say it was reported stolen and found).
    await sell(till, sold, 2);
    await revokeDevice(hub, deviceId);
    await till.engine.shutdown();

    till = openTill(dir);
    await eventually(
      'the hub refuses the device',
      () => expectOk(till.engine.execute('sync-status', {})).error?.code === 'UNAUTHORIZED',
    );
    const code = await world.enrollmentCode('store-r');
    const next = await till.engine.sync.replaceWithCode(hubUrl, code);
    expect(next.deviceNo).toBe(6);
    await drained(till);
    const atHub = await hubSales();
    for (const sale of sold) expect(atHub.get(sale.saleId)).toBe(sale.receiptNumber);
    const exception = await restoredException(deviceId);
    expect(exception.details).toMatchObject({ via: 'enrollment-code', resent: { count: 2 } });
  });

  it('asks the hub again soon when its re-enrollment fails, not at the next error retry', async () => {
    const { dir, deviceId } = await newTill(7);
    let till = openTill(dir);
    const sold: Sold[] = [];
    await sell(till, sold, 2);
    await drained(till);
    const backupFile = join(dir, '..', `${deviceId}.backup.db`);
    await backupDatabase(dir, backupFile);
    await sell(till, sold, 2);
    await drained(till);
    await till.engine.shutdown();
    await restoreDatabase(dir, backupFile, Date.now());
    rmSync(backupFile);

    // The link drops under the first re-enrollment; the agent's own error retry is ten minutes away.
    let reEnrollAttempts = 0;
    const flaky: typeof fetch = (input, init) => {
      if (String(input).endsWith('/sync/re-enroll') && (reEnrollAttempts += 1) === 1) {
        return Promise.reject(new TypeError('fetch failed: the link dropped'));
      }
      return fetch(input, init);
    };
    till = openTill(dir, { errorRetryMs: 600_000, fetch: flaky });
    await eventually('a new device', () => till.engine.identity.deviceNo === 8);
    expect(reEnrollAttempts).toBe(2);
    await sell(till, sold, 1);
    expect(sold.at(-1)!.receiptNumber).toBe('SR-8-000001');
    await drained(till);
    const atHub = await hubSales();
    for (const sale of sold) expect(atHub.get(sale.saleId), sale.receiptNumber).toBe(sale.receiptNumber);
    expect((await restoredException(deviceId)).details).toMatchObject({ newDevice: { deviceNo: 8 } });
  });
});
