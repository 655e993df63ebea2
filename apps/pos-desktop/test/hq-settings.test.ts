import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { withGtinCheckDigit, type Result } from '@retail/domain';
import { buildApp } from '@retail/hub-server/src/api/app';
import { createUser, login } from '@retail/hub-server/src/auth/users';
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
import { nodeInput, sku } from '@retail/hub-server/src/test-support/fixtures';
import type { CommandInput, CommandName, CommandResponse } from '../src/shared/commands';
import { openStoreEngine, type StoreEngine } from '../src/engine/engine';
import { initStoreNode } from '../src/engine/init';
import { TEST_PIN_COST, expectError, expectOk, tempDir } from '../src/engine/testing/test-node';

/**
 * Store settings from HQ reach a real till through its feed (issue 16 point 3), against the real hub
 * in-process on both backends: scale label rules set for the chain make the demo's scale labels scan,
 * the legal header set for the store's region and then overridden for the store prints on receipts, and
 * the till shows the settings version the hub says the store runs. A change made while the till is
 * offline waits in the feed; the till keeps its last version until it is back.
 */

const LABEL = withGtinCheckDigit('211234500734');

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.each(backendKinds())('HQ settings reach a till on %s', (kind) => {
  let database: TestDatabase;
  let storage: Storage;
  let hub: HubContext;
  let app: FastifyInstance;
  let hubUrl: string;
  let adminToken: string;
  let engine: StoreEngine;
  let removeDir: () => void;
  let session = '';

  function run<N extends CommandName>(name: N, input: CommandInput<N>): Result<CommandResponse<N>> {
    return engine.execute(name, input, { session });
  }

  async function put(key: string, scope: object, value: unknown, expectedVersion: number) {
    const response = await fetch(`${hubUrl}/api/settings/${key}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ scope, value, expectedVersion }),
    });
    return { status: response.status, body: (await response.json()) as { value: { version: number } } };
  }

  async function hubVersion(): Promise<number> {
    const response = await fetch(`${hubUrl}/api/settings/stores/store-a`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    return ((await response.json()) as { value: { version: number } }).value.version;
  }

  const tillVersion = () => expectOk(engine.execute('sync-status', {})).settingsVersion?.version ?? null;

  function sellLabel(): string {
    if (expectOk(run('shift-current', {})).shift === null) expectOk(run('shift-open', { float: 10_000 }));
    let sale = expectOk(run('sale-start', {}));
    sale = expectOk(run('sale-add-line', { saleId: sale.saleId, code: LABEL }));
    expect(sale.lines[0]).toMatchObject({ sku: 'HAM', qty: 734, extended: 1_828 });
    expectOk(
      run('sale-add-tender', { saleId: sale.saleId, tender: { type: 'cash', amount: sale.payment.cashDue } }),
    );
    const done = expectOk(run('sale-complete', { saleId: sale.saleId }));
    return expectOk(run('receipt-preview', { receiptNumber: done.receiptNumber ?? '' })).html;
  }

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    storage = await database.open();
    hub = createHubContext(storage);
    const paris = { region: 'idf', jurisdiction: 'FR', currency: 'EUR', timezone: 'Europe/Paris' };
    await createNode(hub, nodeInput('store-a', { code: 'SA', ...paris }));
    await createNode(hub, nodeInput('store-b', { code: 'SB', ...paris }));
    await inHubTransaction(hub, (tx) =>
      writeCatalog(tx, [
        { kind: 'product', data: { productId: 'P-HAM', name: 'Ham' } },
        {
          kind: 'sku',
          data: sku('HAM', { name: 'Ham', unit: 'kg', barcodes: [withGtinCheckDigit('211234501250')] }),
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
    const book = { currency: 'EUR', scope: { type: 'chain' as const }, taxInclusive: true };
    await savePriceBook(hub, 'pb-chain', { book: { ...book, name: 'Chain', priority: 0 } }, 'hq');
    await savePriceEntries(
      hub,
      'pb-chain',
      { entries: [{ sku: 'HAM', tiers: [{ minQty: 1, unitPrice: 2_490 }] }] },
      'hq',
    );
    await createUser(hub, { username: 'hq-admin', password: 'correct horse battery', role: 'admin' });
    adminToken = (await login(hub, { username: 'hq-admin', password: 'correct horse battery' })).token;

    const dir = tempDir('hq-settings-');
    removeDir = dir.remove;
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
        cashRoundingIncrement: 1,
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
    ({ app } = await buildApp({ hub }));
    hubUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    engine = openStoreEngine({
      databasePath,
      pinCost: TEST_PIN_COST,
      sync: {
        transport: 'http',
        tuning: { livePullIntervalMs: 150, backoff: { baseMs: 50, capMs: 400 }, errorRetryMs: 500 },
      },
    });
    await engine.sync.configure({ hubUrl, credential: enrolled.credential });
    session = expectOk(engine.execute('staff-sign-in', { staffCode: 'M1', pin: '1234' })).session;
    await until(
      'the till has the catalog',
      () => run('catalog-scan', { code: withGtinCheckDigit('211234501250') }).ok || undefined,
    );
  });

  afterAll(async () => {
    await engine?.shutdown();
    removeDir?.();
    await app?.close();
    await storage?.close();
    await database?.dispose();
  });

  it('scans scale labels and prints the region’s legal header once HQ publishes them, at the hub’s version', async () => {
    expect(tillVersion()).toBeNull();
    expectError(run('catalog-scan', { code: LABEL }), 'UNKNOWN_BARCODE');

    const rule = { prefix: '21', kind: 'weight', itemDigits: 5, valueDigits: 5 };
    expect((await put('pos.scan.variableMeasureRules', { kind: 'chain' }, [rule], 0)).status).toBe(200);
    const legal = {
      companyName: 'Retail Example SAS',
      address: ['12 rue de la Roquette', '75011 Paris'],
      vatNumber: 'FR40123456789',
    };
    expect((await put('pos.receipt.legalHeader', { kind: 'region', regionId: 'idf' }, legal, 0)).status).toBe(
      200,
    );
    const version = await hubVersion();
    expect(version).toBe(2);
    await until('the till runs the hub’s settings version', () => tillVersion() === version || undefined);

    const html = sellLabel();
    expect(html).toContain('Retail Example SAS');
    expect(html).toContain('VAT FR40123456789');
  });

  it('keeps its last settings while offline and applies a change made meanwhile once back', async () => {
    const before = tillVersion();
    await engine.sync.stop();
    const own = {
      companyName: 'Roquette Traiteur SARL',
      address: ['12 rue de la Roquette', '75011 Paris'],
      vatNumber: 'FR99888777666',
    };
    expect((await put('pos.receipt.legalHeader', { kind: 'store', storeId: 'store-a' }, own, 0)).status).toBe(
      200,
    );
    // An edit from a screen that still showed version 0 is refused; nothing reaches the till from it.
    expect(
      (
        await put(
          'pos.receipt.legalHeader',
          { kind: 'store', storeId: 'store-a' },
          { ...own, companyName: 'Stale' },
          0,
        )
      ).status,
    ).toBe(409);
    const version = await hubVersion();
    expect(version).toBeGreaterThan(before ?? 0);

    // Offline, the till sells with the settings it last applied.
    expect(tillVersion()).toBe(before);
    expect(sellLabel()).toContain('Retail Example SAS');

    engine.sync.start();
    await until('the till caught up with the change', () => tillVersion() === version || undefined);
    const html = sellLabel();
    expect(html).toContain('Roquette Traiteur SARL');
    expect(html).not.toContain('Stale');
  });
});
