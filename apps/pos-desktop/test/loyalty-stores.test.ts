import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LoyaltyEntrySchema,
  LoyaltyProgrammeSchema,
  StoredValueSettingsSchema,
  balances,
  type LoyaltyEntry,
} from '@retail/domain';
import {
  WIDGET,
  adjustAccountPoints,
  backendKinds,
  customerAnswer,
  effectiveSettings,
  inHubTransaction,
  listExceptions,
  putSetting,
  recordNewCustomer,
  saveProgramme,
  saveStoredValueSettings,
  startTestHub,
  storedValueByNumber,
  eventually,
  type HubContext,
  type Storage,
  type TestHub,
} from '@retail/hub-server/testing';
import { expectOk } from '../src/engine/testing/test-node';
import { openTestTill, untilSelling, type TestTill } from '../src/engine/testing/test-till';

/**
 * Loyalty and stored value end to end: the real hub in-process (127.0.0.1, both backends) and two real
 * store engines syncing over HTTP. Online, tills hold points and store credit at the hub and the sale
 * captures them; offline, they redeem within the allowance and the hub books it anyway, with one
 * overdraft when two stores spent the same points; a customer created offline is merged by the hub.
 */

const DAY = 86_400_000;
const WIDGET_BARCODE = WIDGET.barcode;
const DAYS_30 = 30;

describe.each(backendKinds())('loyalty across real store engines and the hub on %s', (kind) => {
  let world: TestHub;
  let storage: Storage;
  let hub: HubContext;
  const stores = new Map<string, TestTill>();

  async function openStore(nodeId: string, code: string): Promise<TestTill> {
    const till = await openTestTill(world, {
      storeId: nodeId,
      storeCode: code,
      dirPrefix: `loyalty-${nodeId}-`,
    });
    stores.set(nodeId, till);
    return till;
  }

  const store = (nodeId: string) => stores.get(nodeId)!;

  async function ledger(accountId: string): Promise<LoyaltyEntry[]> {
    const rows = await storage.db
      .selectFrom('loyalty_entries')
      .select('entry')
      .where('account_id', '=', accountId)
      .execute();
    return rows.map((row) => LoyaltyEntrySchema.parse(JSON.parse(row.entry)));
  }

  async function member(phone: string, points: number): Promise<{ customerId: string; accountId: string }> {
    const customerId = randomUUID();
    await inHubTransaction(hub, (tx) =>
      recordNewCustomer(tx, { customerId, name: 'Ada', phone }, { createdAt: tx.at }),
    );
    const answer = await customerAnswer(storage.db, customerId, hub.now());
    const accountId = answer!.account!.accountId;
    if (points > 0)
      await adjustAccountPoints(hub, accountId, { adjustmentId: randomUUID(), points, reason: 'Welcome' });
    return { customerId, accountId };
  }

  async function online(at: TestTill): Promise<void> {
    at.engine.sync.start();
    await eventually(`${at.nodeId} is online`, () => at.engine.sync.online());
  }

  async function startSale(at: TestTill, widgets: number): Promise<string> {
    if ((await at.okAsync('shift-current', {})).shift === null)
      await at.okAsync('shift-open', { float: 10_000 });
    const sale = await at.okAsync('sale-start', {});
    for (let index = 0; index < widgets; index += 1)
      await at.okAsync('sale-add-line', { saleId: sale.saleId, code: WIDGET_BARCODE });
    return sale.saleId;
  }

  async function finish(at: TestTill, saleId: string): Promise<void> {
    const view = await at.okAsync('sale-get', { saleId });
    if (view.payment.remaining > 0)
      await at.okAsync('sale-add-tender', { saleId, tender: { type: 'cash', amount: view.payment.cashDue } });
    await at.okAsync('sale-complete', { saleId });
  }

  beforeAll(async () => {
    world = await startTestHub({ kind, stores: ['store-a', 'store-b'], items: [WIDGET] });
    ({ storage, hub } = world);
    await saveProgramme(
      storage.db,
      LoyaltyProgrammeSchema.parse({
        programmeId: 'rewards',
        currency: 'EUR',
        returnWindowDays: DAYS_30,
        pointsExpiryDays: 365,
        pointValue: { points: 100, value: { amount: 100, currency: 'EUR' } },
        holdTtlMs: 5 * 60_000,
        offline: { maxSnapshotAgeMs: 2 * DAY, perTransactionCapPoints: 1_000, perDeviceDayCapPoints: 3_000 },
        tiers: [{ tierId: 'base', name: 'Member', earnPoints: 1, earnPerMinor: 100, qualifyingPoints: 0 }],
      }),
      'test',
      hub.now(),
    );
    await saveStoredValueSettings(
      storage.db,
      StoredValueSettingsSchema.parse({
        currency: 'EUR',
        holdTtlMs: 5 * 60_000,
        offline: {
          maxSnapshotAgeMs: DAY,
          perTransactionCap: { amount: 2_000, currency: 'EUR' },
          perDeviceDayCap: { amount: 5_000, currency: 'EUR' },
        },
      }),
      'test',
      hub.now(),
    );
    for (const [nodeId, code] of [
      ['store-a', 'SA'],
      ['store-b', 'SB'],
    ] as const) {
      await untilSelling(await openStore(nodeId, code), WIDGET_BARCODE);
    }
  });

  afterAll(async () => {
    for (const each of stores.values()) await each.close();
    await world?.close();
  });

  it('holds points at the hub online, releases them when the tender is removed, and captures them with the sale', async () => {
    const ada = await member('+33612345001', 2_000);
    const a = store('store-a');
    const found = await a.okAsync('customer-find', { query: '+33 6 12 34 50 01' });
    expect(found).toMatchObject({ source: 'hub', customers: [{ customerId: ada.customerId }] });
    const saleId = await startSale(a, 1);
    const attached = await a.okAsync('sale-attach-customer', { saleId, customerId: ada.customerId });
    expect(attached.customer?.loyalty).toMatchObject({ source: 'cache', available: 2_000 });
    const first = await a.okAsync('sale-add-tender', {
      saleId,
      tender: { type: 'loyalty_points', points: 300 },
    });
    const held = first.tenders.at(-1)!;
    expect(held).toMatchObject({ type: 'loyalty_points', amount: 300, redemption: { mode: 'online' } });
    expect(balances(await ledger(ada.accountId), hub.now())).toMatchObject({ available: 1_700, held: 300 });
    await a.okAsync('sale-remove-tender', { saleId, tenderId: held.tenderId });
    expect(balances(await ledger(ada.accountId), hub.now())).toMatchObject({ available: 2_000, held: 0 });
    await a.okAsync('sale-add-tender', { saleId, tender: { type: 'loyalty_points', points: 300 } });
    await finish(a, saleId);
    await eventually('the sale reaches the hub', () => a.drained() || undefined);
    const entries = await ledger(ada.accountId);
    expect(balances(entries, hub.now())).toMatchObject({ available: 1_700, held: 0, pending: 2 });
    expect(entries.filter((entry) => entry.type === 'OFFLINE_OVERDRAFT')).toEqual([]);
    // The points the till's receipt states are the points the hub earned.
    expect(await listExceptions(storage.db, { type: 'POINTS_EARNED_MISMATCH', limit: 10 })).toEqual([]);
  });

  it('lets two offline stores redeem the same points within their allowance and records exactly one overdraft', async () => {
    const bo = await member('+33612345002', 1_000);
    const a = store('store-a');
    const b = store('store-b');
    for (const at of [a, b]) await at.okAsync('customer-loyalty', { customerId: bo.customerId });
    await a.engine.sync.stop();
    await b.engine.sync.stop();

    const saleA = await startSale(a, 1);
    await a.okAsync('sale-attach-customer', { saleId: saleA, customerId: bo.customerId });
    const paidA = await a.okAsync('sale-add-tender', {
      saleId: saleA,
      tender: { type: 'loyalty_points', points: 500 },
    });
    expect(paidA.tenders.at(-1)).toMatchObject({ redemption: { mode: 'offline' } });
    await finish(a, saleA);
    // Store A already let 500 of the 1,000 last synced points go: 501 more is beyond what it knows is there.
    const saleA2 = await startSale(a, 2);
    await a.okAsync('sale-attach-customer', { saleId: saleA2, customerId: bo.customerId });
    const refused = await a.runAsync('sale-add-tender', {
      saleId: saleA2,
      tender: { type: 'loyalty_points', points: 501 },
    });
    expect(refused.ok ? null : refused.error.code).toBe('OFFLINE_LIMIT');
    expect(refused.ok ? '' : refused.error.message).toMatch(/another tender/i);
    await a.okAsync('sale-void', { saleId: saleA2, reason: 'customer paid later' });

    const saleB = await startSale(b, 2);
    await b.okAsync('sale-attach-customer', { saleId: saleB, customerId: bo.customerId });
    await b.okAsync('sale-add-tender', { saleId: saleB, tender: { type: 'loyalty_points', points: 800 } });
    await finish(b, saleB);

    await online(a);
    await online(b);
    await eventually('both stores pushed their sales', () => (a.drained() && b.drained()) || undefined);
    expect(balances(await ledger(bo.accountId), hub.now())).toMatchObject({
      available: -300,
      overdraft: 300,
    });
    const overdrafts = (
      await storage.db.selectFrom('exceptions').selectAll().where('type', '=', 'LOYALTY_OVERDRAFT').execute()
    ).filter((row) => (JSON.parse(row.details) as { accountId: string }).accountId === bo.accountId);
    expect(overdrafts).toHaveLength(1);
    expect(JSON.parse(overdrafts[0]!.cause_event_ids)).toHaveLength(1);
  });

  it('redeems at store B the store credit a no-receipt return issued at store A', async () => {
    const a = store('store-a');
    const b = store('store-b');
    if ((await a.okAsync('shift-current', {})).shift === null)
      await a.okAsync('shift-open', { float: 10_000 });
    const returned = await a.okAsync('return-without-receipt', {
      lines: [{ sku: 'WIDGET', qty: 2 }],
      reason: 'gift, no receipt',
    });
    const slip = returned.refunds[0]!;
    expect(slip).toMatchObject({ type: 'store_credit', amount: 1_000 });
    await eventually('the return reaches the hub', () => a.drained() || undefined);
    const number = slip.reference!;
    const balance = await b.okAsync('stored-value-balance', { number });
    expect(balance).toMatchObject({ kind: 'store_credit', source: 'hub', available: 1_000 });
    const saleId = await startSale(b, 1);
    const paid = await b.okAsync('sale-add-tender', {
      saleId,
      tender: { type: 'store_credit', amount: 500, number },
    });
    expect(paid.tenders.at(-1)).toMatchObject({
      type: 'store_credit',
      amount: 500,
      redemption: { mode: 'online' },
    });
    await b.okAsync('sale-complete', { saleId });
    await eventually('the sale reaches the hub', () => b.drained() || undefined);
    expect((await storedValueByNumber(hub, { number })).snapshot).toMatchObject({
      available: { amount: 500 },
      held: { amount: 0 },
    });
  });

  it('merges a customer created offline into the existing one and tells the store', async () => {
    const cy = await member('+33612345003', 0);
    const b = store('store-b');
    await b.engine.sync.stop();
    const created = await b.okAsync('customer-create', { name: 'Cy', phone: '+33 6 12 34 50 03' });
    expect(created).toMatchObject({ source: 'cache', customer: { temporary: true } });
    const saleId = await startSale(b, 2);
    await b.okAsync('sale-attach-customer', { saleId, customerId: created.customer.customerId });
    await finish(b, saleId);
    await online(b);
    await eventually('the store learns the merge', () => {
      const row = b.engine.db
        .prepare('SELECT merged_into AS mergedInto FROM customers WHERE customer_id = ?')
        .get(created.customer.customerId) as { mergedInto: string | null } | undefined;
      return row?.mergedInto === cy.customerId || undefined;
    });
    const loyalty = await b.okAsync('customer-loyalty', { customerId: created.customer.customerId });
    expect(loyalty.customer.customerId).toBe(cy.customerId);
    expect(balances(await ledger(cy.accountId), hub.now())).toMatchObject({ pending: 10 });
    const underTemporary = await storage.db
      .selectFrom('loyalty_accounts')
      .select('account_id')
      .where('customer_id', '=', created.customer.customerId)
      .execute();
    expect(underTemporary).toEqual([]);
  });
  it('limits an offline redemption to the allowance HQ set for the store, and only there', async () => {
    const di = await member('+33612345004', 2_000);
    const a = store('store-a');
    const b = store('store-b');
    for (const at of [a, b]) {
      await online(at);
      await at.okAsync('customer-loyalty', { customerId: di.customerId });
    }
    // The programme lets a till take 1,000 points offline in one sale; HQ allows store B only 200.
    await putSetting(
      hub,
      'loyalty.offline.pointsPerSale',
      { scope: { kind: 'store', storeId: 'store-b' }, value: 200, expectedVersion: 0 },
      'user:test',
    );
    const version = (await effectiveSettings(storage.db, 'store-b')).version;
    await eventually(
      'store B runs the new settings version',
      () => expectOk(b.engine.execute('sync-status', {})).settingsVersion?.version === version || undefined,
    );
    await a.engine.sync.stop();
    await b.engine.sync.stop();

    const saleB = await startSale(b, 2);
    const attached = await b.okAsync('sale-attach-customer', { saleId: saleB, customerId: di.customerId });
    expect(attached.customer?.loyalty?.offline).toMatchObject({ allowed: 200, limitedBy: 'transaction_cap' });
    const refused = await b.runAsync('sale-add-tender', {
      saleId: saleB,
      tender: { type: 'loyalty_points', points: 201 },
    });
    expect(refused.ok ? null : refused.error.code).toBe('OFFLINE_LIMIT');
    expect(refused.ok ? '' : refused.error.message).toContain('200 points');
    const paid = await b.okAsync('sale-add-tender', {
      saleId: saleB,
      tender: { type: 'loyalty_points', points: 200 },
    });
    expect(paid.tenders.at(-1)).toMatchObject({ redemption: { mode: 'offline' } });
    await finish(b, saleB);

    // Store A has no such setting: the programme's own cap still applies there.
    const saleA = await startSale(a, 2);
    await a.okAsync('sale-attach-customer', { saleId: saleA, customerId: di.customerId });
    const paidA = await a.okAsync('sale-add-tender', {
      saleId: saleA,
      tender: { type: 'loyalty_points', points: 600 },
    });
    expect(paidA.tenders.at(-1)).toMatchObject({ redemption: { mode: 'offline' } });
    await finish(a, saleA);
    await online(a);
    await online(b);
    await eventually('both stores pushed their sales', () => (a.drained() && b.drained()) || undefined);
    expect(balances(await ledger(di.accountId), hub.now())).toMatchObject({ available: 1_200 });
  });
});
