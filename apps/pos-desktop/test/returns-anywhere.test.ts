import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Result } from '@retail/domain';
import { buildApp } from '@retail/hub-server/src/api/app';
import { createEnrollmentCode, enrollDevice } from '@retail/hub-server/src/auth/devices';
import { writeCatalog } from '@retail/hub-server/src/catalog/catalog-store';
import { listExceptions } from '@retail/hub-server/src/exceptions/exception-queue';
import { createHubContext, type HubContext } from '@retail/hub-server/src/hub-context';
import { inHubTransaction } from '@retail/hub-server/src/hub-tx';
import { createNode } from '@retail/hub-server/src/nodes/nodes';
import { savePriceBook, savePriceEntries } from '@retail/hub-server/src/pricing/pricing-store';
import type { Storage } from '@retail/hub-server/src/storage/storage';
import { lookupSale } from '@retail/hub-server/src/sync/sale-lookup';
import {
  backendKinds,
  createTestDatabase,
  type TestDatabase,
} from '@retail/hub-server/src/test-support/backends';
import type { CommandInput, CommandName, CommandResponse } from '../src/shared/commands';
import { openStoreEngine, type StoreEngine } from '../src/engine/engine';
import { initStoreNode } from '../src/engine/init';
import { TEST_PIN_COST, expectOk, tempDir } from '../src/engine/testing/test-node';

/**
 * Returns anywhere (BORIS) end to end: the real hub in-process (127.0.0.1, both backends) and two real
 * store engines syncing over HTTP. A till that does not hold a receipt asks the hub for it and refunds to
 * the original tenders; the hub counts returns at every store against the sale, so the same line returned
 * twice raises one exception; offline, a receipt the till does not hold takes the no-receipt path.
 */

const WIDGET_BARCODE = '4006381333931';

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`never happened: ${what}${last === undefined ? '' : ` (${String(last)})`}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface Store {
  readonly nodeId: string;
  readonly engine: StoreEngine;
  ok<N extends CommandName>(name: N, input: CommandInput<N>): Promise<CommandResponse<N>>;
  run<N extends CommandName>(name: N, input: CommandInput<N>): Promise<Result<CommandResponse<N>>>;
  drained(): boolean;
  close(): Promise<void>;
}

describe.each(backendKinds())('returns anywhere across real store engines and the hub on %s', (kind) => {
  let database: TestDatabase;
  let storage: Storage;
  let hub: HubContext;
  let app: FastifyInstance;
  let hubUrl: string;
  const stores = new Map<string, Store>();

  async function openStore(nodeId: string, code: string): Promise<Store> {
    const dir = tempDir(`returns-${nodeId}-`);
    const databasePath = join(dir.path, 'store.db');
    const init = initStoreNode({
      databasePath,
      setup: {
        storeId: nodeId,
        storeCode: code,
        deviceNo: 1,
        currency: 'EUR',
        locale: 'fr-FR',
        timezone: 'Europe/Paris',
      },
      firstManager: { staffCode: 'M1', name: 'Morgan Manager', pin: '1234' },
      pinCost: TEST_PIN_COST,
    });
    const { code: enrollment } = await createEnrollmentCode(hub, nodeId, 'test');
    const enrolled = await enrollDevice(hub, {
      code: enrollment,
      deviceName: `${code} lane 1`,
      deviceId: init.identity.deviceId,
      deviceNo: 1,
      storeId: nodeId,
    });
    const engine = openStoreEngine({
      databasePath,
      pinCost: TEST_PIN_COST,
      sync: {
        transport: 'http',
        tuning: { livePullIntervalMs: 150, backoff: { baseMs: 50, capMs: 400 }, errorRetryMs: 500 },
      },
    });
    await engine.sync.configure({ hubUrl, credential: enrolled.credential });
    const session = expectOk(engine.execute('staff-sign-in', { staffCode: 'M1', pin: '1234' })).session;
    const store: Store = {
      nodeId,
      engine,
      run: (name, input) => engine.executeAsync(name, input, { session }),
      ok: async (name, input) => expectOk(await engine.executeAsync(name, input, { session })),
      drained: () => expectOk(engine.execute('sync-status', {})).pendingEvents === 0,
      async close() {
        await engine.shutdown();
        dir.remove();
      },
    };
    stores.set(nodeId, store);
    return store;
  }

  const store = (nodeId: string) => stores.get(nodeId)!;

  async function online(at: Store): Promise<void> {
    at.engine.sync.start();
    await until(`${at.nodeId} is online`, () => at.engine.sync.online());
  }

  async function sell(at: Store, widgets: number, card?: string): Promise<string> {
    if ((await at.ok('shift-current', {})).shift === null) await at.ok('shift-open', { float: 10_000 });
    const sale = await at.ok('sale-start', {});
    for (let index = 0; index < widgets; index += 1)
      await at.ok('sale-add-line', { saleId: sale.saleId, code: WIDGET_BARCODE });
    const view = await at.ok('sale-get', { saleId: sale.saleId });
    const tender =
      card === undefined
        ? ({ type: 'cash', amount: view.payment.cashDue } as const)
        : ({ type: 'card', amount: view.payment.remaining, reference: card } as const);
    await at.ok('sale-add-tender', { saleId: sale.saleId, tender });
    const done = await at.ok('sale-complete', { saleId: sale.saleId });
    return done.receiptNumber!;
  }

  async function rejectedReturnsOf(saleId: string) {
    const rejected = await listExceptions(storage.db, { type: 'REJECTED_EVENT', limit: 500 });
    return rejected.filter((row) => JSON.stringify(row.details).includes(saleId));
  }

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    storage = await database.open();
    hub = createHubContext(storage);
    for (const nodeId of ['store-a', 'store-b']) {
      await createNode(hub, {
        nodeId,
        code: nodeId.toUpperCase().replace('STORE-', 'S'),
        name: `Store ${nodeId}`,
        kind: 'store',
        region: 'idf',
        latitude: 48.85,
        longitude: 2.35,
        pickupEnabled: true,
        pickCapacity: 0,
        jurisdiction: 'FR',
        currency: 'EUR',
        timezone: 'Europe/Paris',
        active: true,
      });
    }
    await inHubTransaction(hub, (tx) =>
      writeCatalog(tx, [
        { kind: 'product', data: { productId: 'P-WIDGET', name: 'Widget' } },
        {
          kind: 'sku',
          data: {
            sku: 'WIDGET',
            productId: 'P-WIDGET',
            name: 'Widget',
            unit: 'each',
            taxCategory: 'standard',
            categoryIds: [],
            barcodes: [WIDGET_BARCODE],
            active: true,
          },
        },
        {
          kind: 'tax_rate',
          data: {
            rateId: 'fr-std',
            name: 'TVA 20%',
            jurisdictionId: 'FR',
            taxCategory: 'standard',
            percent: 20,
          },
        },
      ]),
    );
    await savePriceBook(
      hub,
      'pb-chain',
      { book: { name: 'Chain', currency: 'EUR', scope: { type: 'chain' }, priority: 0, taxInclusive: true } },
      'test',
    );
    await savePriceEntries(
      hub,
      'pb-chain',
      { entries: [{ sku: 'WIDGET', tiers: [{ minQty: 1, unitPrice: 500 }] }] },
      'test',
    );
    ({ app } = await buildApp({ hub }));
    hubUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    for (const [nodeId, code] of [
      ['store-a', 'SA'],
      ['store-b', 'SB'],
    ] as const) {
      const at = await openStore(nodeId, code);
      await until(`${nodeId} has the catalog`, () =>
        expectOk(at.engine.execute('sync-status', {})).feedCursor > 0 && at.engine.sync.online()
          ? true
          : undefined,
      );
      await until(
        `${nodeId} can scan the widget`,
        async () => (await at.run('catalog-scan', { code: WIDGET_BARCODE })).ok || undefined,
      );
    }
  });

  afterAll(async () => {
    for (const each of stores.values()) await each.close();
    await app?.close();
    await storage?.close();
    await database?.dispose();
  });
  it('returns at store B a sale made at store A, to the original card, and the hub counts it against the sale', async () => {
    const a = store('store-a');
    const b = store('store-b');
    const receipt = await sell(a, 3, 'AUTH-A-1');
    await until('the sale reaches the hub', () => a.drained() || undefined);

    const found = await b.ok('sale-find', { receiptNumber: receipt });
    expect(found).toMatchObject({ receiptNumber: receipt, soldAt: { storeId: 'store-a', source: 'hub' } });
    expect(found.lines).toEqual([expect.objectContaining({ sku: 'WIDGET', qty: 3, returnableQty: 3 })]);
    if ((await b.ok('shift-current', {})).shift === null) await b.ok('shift-open', { float: 10_000 });
    const returned = await b.ok('return-create', {
      receiptNumber: receipt,
      lines: [{ lineId: found.lines[0]!.lineId, qty: 1, disposition: 'sellable' }],
    });
    expect(returned).toMatchObject({ originalSaleId: found.saleId, originalReceiptNumber: receipt });
    expect(returned.refunds).toEqual([expect.objectContaining({ type: 'card', amount: 500 })]);
    await until('the return reaches the hub', () => b.drained() || undefined);

    const atHub = await lookupSale(hub, receipt);
    expect(atHub.lines[0]).toMatchObject({ returnedQty: 1, returnableQty: 2 });
    expect(atHub.tenders[0]).toMatchObject({ type: 'card', refunded: 500 });
    expect(await rejectedReturnsOf(found.saleId)).toEqual([]);
    // Store B's stock took the widget back; store A's did not.
    const row = await storage.db
      .selectFrom('returns')
      .select(['node_id', 'original_sale_id'])
      .where('original_sale_id', '=', found.saleId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ node_id: 'store-b', original_sale_id: found.saleId });

    // The second return at B, before or after its sync, sees the first: at most 2 more.
    const tooMany = await b.run('return-create', {
      receiptNumber: receipt,
      lines: [{ lineId: found.lines[0]!.lineId, qty: 3, disposition: 'sellable' }],
    });
    expect(tooMany.ok ? null : tooMany.error.code).toBe('RETURN_EXCEEDS_SOLD');
  });

  it('raises one exception when store A offline returns a line store B already returned through the hub', async () => {
    const a = store('store-a');
    const b = store('store-b');
    const receipt = await sell(a, 1);
    await until('the sale reaches the hub', () => a.drained() || undefined);
    await a.engine.sync.stop();
    try {
      await returnTwice(a, b, receipt);
    } finally {
      await online(a);
    }
    await until('store A pushed its return', () => a.drained() || undefined);
    const saleId = (await lookupSale(hub, receipt)).saleId;
    const exceptions = await rejectedReturnsOf(saleId);
    expect(exceptions).toHaveLength(1);
    expect(exceptions[0]).toMatchObject({ nodeId: 'store-a' });
    expect((await lookupSale(hub, receipt)).lines[0]).toMatchObject({ returnedQty: 1, returnableQty: 0 });
  });

  async function returnTwice(a: Store, b: Store, receipt: string): Promise<void> {
    const found = await b.ok('sale-find', { receiptNumber: receipt });
    if ((await b.ok('shift-current', {})).shift === null) await b.ok('shift-open', { float: 10_000 });
    const atB = await b.ok('return-create', {
      receiptNumber: receipt,
      lines: [{ lineId: found.lines[0]!.lineId, qty: 1, disposition: 'sellable' }],
    });
    expect(atB.refunds).toEqual([expect.objectContaining({ type: 'cash', amount: 500 })]);
    await until('store B synced its return', () => b.drained() || undefined);

    // Store A does not know about B's return: its own till lets the same widget back.
    const atA = await a.ok('return-create', {
      receiptNumber: receipt,
      lines: [{ lineId: found.lines[0]!.lineId, qty: 1, disposition: 'sellable' }],
    });
    expect(atA.total).toBe(500);
  }

  it('offline, a receipt the till does not hold takes the no-receipt path with its number recorded', async () => {
    const a = store('store-a');
    const b = store('store-b');
    const receipt = await sell(a, 1);
    await until('the sale reaches the hub', () => a.drained() || undefined);
    await b.engine.sync.stop();
    try {
      const lookedUp = await b.run('sale-find', { receiptNumber: receipt });
      expect(lookedUp.ok ? null : lookedUp.error).toMatchObject({ code: 'NOT_FOUND' });
      expect(lookedUp.ok ? '' : lookedUp.error.message).toMatch(/without a receipt/);
      if ((await b.ok('shift-current', {})).shift === null) await b.ok('shift-open', { float: 10_000 });
      const returned = await b.ok('return-without-receipt', {
        lines: [{ sku: 'WIDGET', qty: 1 }],
        reason: 'hub offline, receipt from store A',
        originalReceiptNumber: receipt,
      });
      expect(returned).toMatchObject({ originalSaleId: null, originalReceiptNumber: receipt });
      expect(returned.refunds).toEqual([expect.objectContaining({ type: 'store_credit' })]);
    } finally {
      await online(b);
    }
    await until('store B pushed its return', () => b.drained() || undefined);
  });

  it.each([
    ['store A syncs first', ['store-a', 'store-b']],
    ['store B syncs first', ['store-b', 'store-a']],
  ] as const)(
    'links a no-receipt return to the receipt it names and raises one exception for a line returned twice offline (%s)',
    async (_order, syncOrder) => {
      const a = store('store-a');
      const b = store('store-b');
      const receipt = await sell(a, 1);
      await until('the sale reaches the hub', () => a.drained() || undefined);
      const saleId = (await lookupSale(hub, receipt)).saleId;
      await a.engine.sync.stop();
      await b.engine.sync.stop();
      try {
        const sold = await a.ok('sale-find', { receiptNumber: receipt });
        await a.ok('return-create', {
          receiptNumber: receipt,
          lines: [{ lineId: sold.lines[0]!.lineId, qty: 1, disposition: 'sellable' }],
        });
        if ((await b.ok('shift-current', {})).shift === null) await b.ok('shift-open', { float: 10_000 });
        await b.ok('return-without-receipt', {
          lines: [{ sku: 'WIDGET', qty: 1 }],
          reason: 'hub offline',
          originalReceiptNumber: receipt,
        });
      } finally {
        for (const nodeId of syncOrder) {
          await online(store(nodeId));
          await until(`${nodeId} pushed its return`, () => store(nodeId).drained() || undefined);
        }
      }
      const rejected = await rejectedReturnsOf(saleId);
      const twice = (await listExceptions(storage.db, { type: 'RETURN_OVER_RETURNABLE', limit: 500 })).filter(
        (row) => JSON.stringify(row.details).includes(saleId),
      );
      expect(rejected.length + twice.length).toBe(1);
      expect([...rejected, ...twice][0]).toMatchObject({ nodeId: syncOrder[1] });
      const linked = await storage.db
        .selectFrom('returns')
        .select('node_id')
        .where('original_sale_id', '=', saleId)
        .execute();
      // The return that was applied counts against the sale either way; the rejected one is not recorded.
      expect(linked.map((row) => row.node_id).sort()).toEqual(
        syncOrder[0] === 'store-a' ? ['store-a', 'store-b'] : ['store-b'],
      );
      expect((await lookupSale(hub, receipt)).lines[0]).toMatchObject({ returnableQty: 0 });
    },
  );

  it('tells the cashier when neither the till nor the hub has the receipt', async () => {
    const b = store('store-b');
    const missing = await b.run('sale-find', { receiptNumber: 'SA-1-999999' });
    expect(missing.ok ? null : missing.error.code).toBe('NOT_FOUND');
    expect(missing.ok ? '' : missing.error.message).toMatch(/Neither this till nor the hub/);
  });
});
