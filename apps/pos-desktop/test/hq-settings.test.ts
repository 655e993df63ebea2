import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withGtinCheckDigit, type Result } from '@retail/domain';
import type { CommandInput, CommandName, CommandResponse } from '../src/shared/commands';
import type { StoreEngine } from '../src/engine/engine';
import {
  HAM_BY_WEIGHT,
  HQ_ADMIN,
  backendKinds,
  signedInOperator,
  startTestHub,
  until,
  type TestHub,
} from '@retail/hub-server/testing';
import { expectError, expectOk } from '../src/engine/testing/test-node';
import { openTestTill, type TestTill } from '../src/engine/testing/test-till';

/**
 * Store settings from HQ reach a real till through its feed (issue 16 point 3), against the real hub
 * in-process on both backends: scale label rules set for the chain make the demo's scale labels scan,
 * the legal header set for the store's region and then overridden for the store prints on receipts, and
 * the till shows the settings version the hub says the store runs. A change made while the till is
 * offline waits in the feed; the till keeps its last version until it is back.
 */

const LABEL = withGtinCheckDigit('211234500734');

describe.each(backendKinds())('HQ settings reach a till on %s', (kind) => {
  let world: TestHub;
  let till: TestTill;
  let hubUrl: string;
  let adminToken: string;
  let engine: StoreEngine;
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
    world = await startTestHub({
      kind,
      stores: ['store-a', 'store-b'],
      items: [HAM_BY_WEIGHT],
      priceBookActor: 'hq',
    });
    hubUrl = world.url;
    adminToken = await signedInOperator(world.hub, HQ_ADMIN);
    till = await openTestTill(world, {
      storeId: 'store-a',
      storeCode: 'SA',
      dirPrefix: 'hq-settings-',
      setup: { cashRoundingIncrement: 1 },
    });
    engine = till.engine;
    session = till.session;
    await until(
      'the till has the catalog',
      () => run('catalog-scan', { code: withGtinCheckDigit('211234501250') }).ok || undefined,
      60_000,
    );
  });

  afterAll(async () => {
    await till?.close();
    await world?.close();
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
    await until(
      'the till runs the hub’s settings version',
      () => tillVersion() === version || undefined,
      60_000,
    );

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
    await until('the till caught up with the change', () => tillVersion() === version || undefined, 60_000);
    const html = sellLabel();
    expect(html).toContain('Roquette Traiteur SARL');
    expect(html).not.toContain('Stale');
  });
});
