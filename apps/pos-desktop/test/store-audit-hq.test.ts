import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Result } from '@retail/domain';
import { buildApp } from '@retail/hub-server/src/api/app';
import { listAudit } from '@retail/hub-server/src/audit/hq-audit';
import { createEnrollmentCode, enrollDevice } from '@retail/hub-server/src/auth/devices';
import { writeCatalog } from '@retail/hub-server/src/catalog/catalog-store';
import { createHubContext, type HubContext } from '@retail/hub-server/src/hub-context';
import { inHubTransaction } from '@retail/hub-server/src/hub-tx';
import { createNode } from '@retail/hub-server/src/nodes/nodes';
import { savePriceBook, savePriceEntries } from '@retail/hub-server/src/pricing/pricing-store';
import type { Storage } from '@retail/hub-server/src/storage/storage';
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
 * The store audit trail at HQ end to end: the real hub in-process (127.0.0.1, both backends) and a real
 * store engine syncing over HTTP. A manager's price override, a post-void and a no-sale drawer opening
 * at the till reach the HQ audit log as the store's entries, named by the staff member who did them.
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

describe.each(backendKinds())("a till's audit trail reaches HQ with the hub on %s", (kind) => {
  let database: TestDatabase;
  let storage: Storage;
  let hub: HubContext;
  let app: FastifyInstance;
  let store: Store;
  let managerId: string;
  let dir: ReturnType<typeof tempDir>;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    storage = await database.open();
    hub = createHubContext(storage);
    await createNode(hub, {
      nodeId: 'store-a',
      code: 'SA',
      name: 'Store A',
      kind: 'store',
      region: 'idf',
      pickupEnabled: false,
      pickCapacity: 0,
      jurisdiction: 'FR',
      currency: 'EUR',
      timezone: 'Europe/Paris',
      active: true,
    });
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
    const hubUrl = await app.listen({ host: '127.0.0.1', port: 0 });

    dir = tempDir('store-audit-');
    const databasePath = join(dir.path, 'store.db');
    const init = initStoreNode({
      databasePath,
      setup: {
        storeId: 'store-a',
        storeCode: 'SA',
        deviceNo: 1,
        currency: 'EUR',
        locale: 'fr-FR',
        timezone: 'Europe/Paris',
      },
      firstManager: { staffCode: 'M1', name: 'Morgan Manager', pin: '1234' },
      pinCost: TEST_PIN_COST,
    });
    const { code } = await createEnrollmentCode(hub, 'store-a', 'test');
    const enrolled = await enrollDevice(hub, {
      code,
      deviceName: 'SA lane 1',
      deviceId: init.identity.deviceId,
      deviceNo: 1,
      storeId: 'store-a',
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
    const signedIn = expectOk(engine.execute('staff-sign-in', { staffCode: 'M1', pin: '1234' }));
    managerId = signedIn.staff.staffId;
    const session = signedIn.session;
    store = {
      nodeId: 'store-a',
      engine,
      run: (name, input) => engine.executeAsync(name, input, { session }),
      ok: async (name, input) => expectOk(await engine.executeAsync(name, input, { session })),
      drained: () => expectOk(engine.execute('sync-status', {})).pendingEvents === 0,
      close: () => engine.shutdown(),
    };
    engine.sync.start();
    await until(
      'the till can scan the widget',
      async () => (await store.run('catalog-scan', { code: WIDGET_BARCODE })).ok || undefined,
    );
  });

  afterAll(async () => {
    await store?.close();
    dir?.remove();
    await app?.close();
    await storage?.close();
    await database?.dispose();
  });

  it("records the till's price override, post-void and no-sale drawer opening at HQ, by store and person", async () => {
    await store.ok('shift-open', { float: 10_000 });
    const sale = await store.ok('sale-start', {});
    const added = await store.ok('sale-add-line', { saleId: sale.saleId, code: WIDGET_BARCODE });
    const lineId = added.lines[0]!.lineId;
    await store.ok('sale-override-price', {
      saleId: sale.saleId,
      lineId,
      unitPrice: 400,
      reason: 'price match',
    });
    const priced = await store.ok('sale-get', { saleId: sale.saleId });
    await store.ok('sale-add-tender', {
      saleId: sale.saleId,
      tender: { type: 'cash', amount: priced.payment.cashDue },
    });
    await store.ok('sale-complete', { saleId: sale.saleId });
    await store.ok('sale-post-void', { saleId: sale.saleId, reason: 'rang up by mistake' });
    await store.ok('drawer-open', { registerId: 'main', reason: 'no-sale' });
    await until('the till has pushed everything', () => store.drained() || undefined);

    const entries = await listAudit(storage.db, { nodeId: 'store-a', action: 'store.', limit: 100 });
    const actions = entries.map((entry) => entry.action).sort();
    expect(actions).toEqual(['store.drawer-open', 'store.override', 'store.price-override', 'store.void']);
    expect(entries.every((entry) => entry.actor === `staff:${managerId}`)).toBe(true);
    expect(entries.find((entry) => entry.action === 'store.price-override')?.after).toMatchObject({
      unitPrice: 400,
      originalUnitPrice: 500,
    });
    expect(entries.find((entry) => entry.action === 'store.void')).toMatchObject({
      subject: `sale:${sale.saleId}`,
      after: { reason: 'rang up by mistake', managerId },
    });
    expect(entries.find((entry) => entry.action === 'store.drawer-open')?.after).toMatchObject({
      reason: 'no-sale',
      registerId: 'main',
    });
    // The same search the dashboard makes, over HTTP.
    expect(
      await listAudit(storage.db, { actor: `staff:${managerId}`, action: 'store.void', limit: 10 }),
    ).toHaveLength(1);
  });
});
