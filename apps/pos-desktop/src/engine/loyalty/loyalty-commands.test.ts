import { LoyaltyProgrammeSchema, StoredValueSettingsSchema, type LoyaltySnapshot } from '@retail/domain';
import type {
  CustomerAnswer,
  HoldAnswer,
  HoldRequest,
  HubCustomerAnswer,
  ReleaseRequest,
  StoredValueAnswer,
} from '@retail/sync';
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  TEST_START,
  checkedOutbox,
  countRows,
  createTestNode,
  expectError,
  expectOk,
  type TestNode,
} from '../testing/test-node';
import type { HubOutcome, LoyaltyHubClient } from './hub-loyalty-client';

const DAY = 86_400_000;

const programme = LoyaltyProgrammeSchema.parse({
  programmeId: 'chain-rewards',
  currency: 'EUR',
  returnWindowDays: 30,
  pointsExpiryDays: 365,
  pointValue: { points: 100, value: { amount: 100, currency: 'EUR' } },
  holdTtlMs: 5 * 60_000,
  offline: { maxSnapshotAgeMs: 2 * DAY, perTransactionCapPoints: 1_000, perDeviceDayCapPoints: 3_000 },
  tiers: [{ tierId: 'base', name: 'Member', earnPoints: 1, earnPerMinor: 100, qualifyingPoints: 0 }],
});

const settings = StoredValueSettingsSchema.parse({
  currency: 'EUR',
  holdTtlMs: 5 * 60_000,
  offline: {
    maxSnapshotAgeMs: DAY,
    perTransactionCap: { amount: 2_000, currency: 'EUR' },
    perDeviceDayCap: { amount: 5_000, currency: 'EUR' },
  },
});

function snapshot(available: number, takenAt = TEST_START): LoyaltySnapshot {
  return {
    accountId: 'acct-ann',
    takenAt,
    pending: 250,
    available,
    held: 0,
    expired: 0,
    lifetime: available + 250,
    overdraft: 0,
  };
}

function ann(available: number, takenAt = TEST_START): HubCustomerAnswer {
  return {
    customer: {
      customerId: 'cust-ann',
      temporary: false,
      name: 'Ann',
      phone: '+447700900123',
      email: 'ann@example.com',
      mergedInto: null,
    },
    account: {
      accountId: 'acct-ann',
      cardNumber: 'LOY123456',
      tierId: 'base',
      tierName: 'Member',
      status: 'active',
    },
    snapshot: snapshot(available, takenAt),
  };
}

const giftCard: StoredValueAnswer = {
  account: {
    accountId: 'gc-1',
    kind: 'gift_card',
    maskedNumber: '****4321',
    currency: 'EUR',
    status: 'active',
  },
  snapshot: {
    accountId: 'gc-1',
    available: { amount: 3_000, currency: 'EUR' },
    held: { amount: 0, currency: 'EUR' },
    takenAt: TEST_START,
  },
  settings,
};

const unreachable = { ok: false, reason: 'unreachable', detail: 'test: hub offline' } as const;

/** A hub that answers from canned data while `reachable`, and records holds and releases. */
class FakeHub implements LoyaltyHubClient {
  reachable = true;
  customerAnswer: HubCustomerAnswer = ann(800);
  holdRefusal: { code: string; message: string } | undefined;
  readonly holds: HoldRequest[] = [];
  readonly releases: ReleaseRequest[] = [];
  giftCardAvailable = 3_000;
  giftCardHeld = 0;
  /** The hub's clock: the till's test clock, so balances are dated as the hub would date them. */
  now: () => number = () => TEST_START;
  /** Set: the card has this PIN, and the hub answers only with it. */
  cardPin: string | undefined;
  readonly pinsSent: (string | undefined)[] = [];

  private answer<T>(value: T): Promise<HubOutcome<T>> {
    return Promise.resolve(this.reachable ? { ok: true, value } : unreachable);
  }
  searchCustomers() {
    return this.answer({ customers: [this.customerAnswer], programme });
  }
  createCustomer(request: { customerId: string; phone?: string; email?: string; name?: string }) {
    const created: CustomerAnswer = {
      customer: {
        customer: {
          customerId: request.customerId,
          temporary: false,
          name: request.name ?? null,
          phone: request.phone ?? null,
          email: request.email ?? null,
          mergedInto: null,
        },
        account: null,
        snapshot: null,
      },
      programme,
    };
    return this.answer(created);
  }
  customer() {
    return this.answer({ customer: this.customerAnswer, programme });
  }
  /** Numbers (normalised) the hub has no card for. */
  readonly unknownNumbers = new Set<string>();
  storedValue(number: string, pin?: string) {
    this.pinsSent.push(pin);
    if (this.reachable && this.unknownNumbers.has(number.replace(/[\s-]/g, '').toUpperCase())) {
      return Promise.resolve({
        ok: false as const,
        reason: 'refused' as const,
        code: 'NOT_FOUND',
        message: 'There is no gift card or store credit with this number. Check the number.',
      });
    }
    if (this.reachable && this.cardPin !== undefined && pin !== this.cardPin) {
      return Promise.resolve({
        ok: false as const,
        reason: 'refused' as const,
        code: 'FORBIDDEN',
        message: 'This card has a PIN: ask the customer to enter it.',
      });
    }
    return this.answer({
      ...giftCard,
      account: { ...giftCard.account, ...(this.cardPin === undefined ? {} : { pinProtected: true }) },
      snapshot: {
        ...giftCard.snapshot,
        available: { amount: this.giftCardAvailable, currency: 'EUR' },
        held: { amount: this.giftCardHeld, currency: 'EUR' },
        takenAt: this.now(),
      },
    });
  }
  placeHold(request: HoldRequest): Promise<HubOutcome<HoldAnswer>> {
    if (!this.reachable) return Promise.resolve(unreachable);
    if (this.holdRefusal) return Promise.resolve({ ok: false, reason: 'refused', ...this.holdRefusal });
    this.holds.push(request);
    const value: HoldAnswer = {
      holdId: request.holdId,
      accountId: request.accountId,
      expiresAt: TEST_START + 5 * 60_000,
    };
    // As the hub does: a stored-value hold answers with the balance the hold leaves.
    if (request.kind === 'stored_value') {
      this.giftCardAvailable -= request.amount;
      this.giftCardHeld += request.amount;
      value.storedValue = {
        accountId: request.accountId,
        available: { amount: this.giftCardAvailable, currency: 'EUR' },
        held: { amount: this.giftCardHeld, currency: 'EUR' },
        takenAt: this.now(),
      };
    }
    return Promise.resolve({ ok: true, value });
  }
  release(request: ReleaseRequest) {
    this.releases.push(request);
    return this.answer({ holdId: request.holdId, released: true });
  }

  nearbyStock(): Promise<HubOutcome<never>> {
    return Promise.resolve({ ok: false, reason: 'unreachable', detail: 'not part of these tests' });
  }
}

let node: TestNode;
let hub: FakeHub;
afterEach(() => node?.close());

let session = '';
const as = () => ({ session });

/** Days later the cashier's session has expired: sign in again. */
function later(ms: number): void {
  node.clock.advance(ms);
  session = expectOk(node.engine.execute('staff-sign-in', { staffCode: 'C1', pin: '1111' })).session;
}

function setUp(): void {
  hub = new FakeHub();
  node = createTestNode({ loyaltyHub: hub });
  hub.now = () => node.clock.now();
  session = node.sessions.cashier;
  expectOk(node.engine.execute('shift-open', { float: 10_000 }, as()));
}

function startSale(items = 10): string {
  const saleId = expectOk(node.engine.execute('sale-start', {}, as())).saleId;
  expectOk(node.engine.execute('sale-add-line', { saleId, sku: 'MILK-1', qty: items }, as()));
  return saleId;
}

async function finishWithCash(saleId: string): Promise<void> {
  const view = expectOk(node.engine.execute('sale-get', { saleId }, as()));
  if (view.payment.remaining > 0)
    expectOk(
      await node.engine.executeAsync(
        'sale-add-tender',
        { saleId, tender: { type: 'cash', amount: view.payment.cashDue } },
        as(),
      ),
    );
  expectOk(await node.engine.executeAsync('sale-complete', { saleId }, as()));
}

async function attachAnn(saleId: string) {
  return expectOk(
    await node.engine.executeAsync('sale-attach-customer', { saleId, customerId: 'cust-ann' }, as()),
  );
}

describe('loyalty commands', () => {
  describe('customer-find', () => {
    it('asks the hub and caches the answer, then answers from the cache with a note when the hub is away', async () => {
      setUp();
      const online = expectOk(
        await node.engine.executeAsync('customer-find', { query: '+44 7700 900123' }, as()),
      );
      expect(online).toMatchObject({ source: 'hub', note: null });
      expect(online.customers).toEqual([
        expect.objectContaining({
          customerId: 'cust-ann',
          loyalty: expect.objectContaining({ cardNumber: 'LOY123456' }),
        }),
      ]);
      hub.reachable = false;
      const byCard = expectOk(await node.engine.executeAsync('customer-find', { query: 'loy123456' }, as()));
      expect(byCard.source).toBe('cache');
      expect(byCard.note).toMatch(/did not answer/);
      expect(byCard.customers.map((customer) => customer.customerId)).toEqual(['cust-ann']);
      expectError(
        await node.engine.executeAsync('customer-find', { query: 'not a key!' }, as()),
        'INVALID_INPUT',
      );
    });
    it('finds a customer offline by a phone typed the national way, by the store country (issue 14, bug 9)', async () => {
      setUp();
      expectOk(await node.engine.executeAsync('customer-find', { query: '+44 7700 900123' }, as()));
      hub.reachable = false;
      // An en-GB store and no country code from HQ: "07700 900123" is +447700900123.
      const national = expectOk(
        await node.engine.executeAsync('customer-find', { query: '07700 900123' }, as()),
      );
      expect(national.source).toBe('cache');
      expect(national.customers.map((customer) => customer.customerId)).toEqual(['cust-ann']);
      const created = expectOk(
        await node.engine.executeAsync('customer-create', { name: 'Cy', phone: '07700 900456' }, as()),
      );
      expect(created.customer.phone).toBe('+447700900456');
    });
  });

  describe('customer-create', () => {
    it('creates a temporary customer offline, and refuses a second one with the same phone', async () => {
      setUp();
      hub.reachable = false;
      const created = expectOk(
        await node.engine.executeAsync('customer-create', { name: 'Bo', phone: '+44 7700 900999' }, as()),
      );
      expect(created).toMatchObject({
        source: 'cache',
        customer: { temporary: true, phone: '+447700900999', loyalty: null },
      });
      expectError(
        await node.engine.executeAsync('customer-create', { phone: '+447700900999' }, as()),
        'CONFLICT',
      );
      expectError(node.engine.execute('customer-create', { name: 'Nobody' }, as()), 'INVALID_INPUT');
    });

    it('creates the customer at the hub when it answers', async () => {
      setUp();
      const created = expectOk(
        await node.engine.executeAsync('customer-create', { email: ' Cy@Example.com ' }, as()),
      );
      expect(created).toMatchObject({
        source: 'hub',
        customer: { temporary: false, email: 'cy@example.com' },
      });
    });
  });

  describe('sale-attach-customer', () => {
    it('returns the sale with the customer and their points, with the age of the balance', async () => {
      setUp();
      const saleId = startSale();
      const view = await attachAnn(saleId);
      expect(view.customer?.loyalty).toMatchObject({
        accountId: 'acct-ann',
        available: 800,
        pending: 250,
        ageMs: 0,
        pointValue: { points: 100, value: 100 },
        offline: { allowed: 800, limitedBy: 'balance' },
      });
      later(3 * DAY);
      hub.reachable = false;
      const stale = expectOk(
        await node.engine.executeAsync('customer-loyalty', { customerId: 'cust-ann' }, as()),
      );
      expect(stale.loyalty).toMatchObject({
        source: 'cache',
        ageMs: 3 * DAY,
        offline: { allowed: 0, limitedBy: 'snapshot_age' },
      });
    });
  });

  describe('sale-add-tender (points)', () => {
    it('places a hold online, and releases it when the tender is removed', async () => {
      setUp();
      const saleId = startSale();
      await attachAnn(saleId);
      const view = expectOk(
        await node.engine.executeAsync(
          'sale-add-tender',
          { saleId, tender: { type: 'loyalty_points', points: 500 } },
          as(),
        ),
      );
      const tender = view.tenders.at(-1);
      expect(tender).toMatchObject({
        type: 'loyalty_points',
        points: 500,
        amount: 500,
        redemption: { mode: 'online' },
      });
      expect(hub.holds).toEqual([
        { kind: 'points', accountId: 'acct-ann', holdId: tender?.tenderId, points: 500 },
      ]);
      expectOk(
        await node.engine.executeAsync(
          'sale-remove-tender',
          { saleId, tenderId: tender?.tenderId ?? '' },
          as(),
        ),
      );
      expect(hub.releases).toEqual([{ kind: 'points', holdId: tender?.tenderId }]);
    });

    it('shows the hub’s refusal and adds nothing when the balance is short', async () => {
      setUp();
      const saleId = startSale();
      await attachAnn(saleId);
      hub.holdRefusal = {
        code: 'INSUFFICIENT_BALANCE',
        message: 'This account has 800 points available; 900 cannot be held.',
      };
      const error = expectError(
        await node.engine.executeAsync(
          'sale-add-tender',
          { saleId, tender: { type: 'loyalty_points', points: 900 } },
          as(),
        ),
        'INSUFFICIENT_BALANCE',
      );
      expect(error.message).toMatch(/800 points available/);
      expect(expectOk(node.engine.execute('sale-get', { saleId }, as())).tenders).toEqual([]);
    });

    it('releases the hold again when the tender is refused by the till after the hub held it', async () => {
      setUp();
      const saleId = startSale(1);
      await attachAnn(saleId);
      // 1.29 due: 500 points (5.00) would pay more than is due.
      expectError(
        await node.engine.executeAsync(
          'sale-add-tender',
          { saleId, tender: { type: 'loyalty_points', points: 500 } },
          as(),
        ),
        'LIMIT_EXCEEDED',
      );
      expect(hub.releases.map((release) => release.holdId)).toEqual(hub.holds.map((hold) => hold.holdId));
    });

    it('redeems offline within the allowance, deducting earlier offline redemptions, and refuses beyond it with OFFLINE_LIMIT', async () => {
      setUp();
      hub.customerAnswer = ann(1_500);
      const first = startSale();
      await attachAnn(first);
      hub.reachable = false;
      expectError(
        await node.engine.executeAsync(
          'sale-add-tender',
          { saleId: first, tender: { type: 'loyalty_points', points: 1_001 } },
          as(),
        ),
        'OFFLINE_LIMIT',
      );
      const paid = expectOk(
        await node.engine.executeAsync(
          'sale-add-tender',
          { saleId: first, tender: { type: 'loyalty_points', points: 1_000 } },
          as(),
        ),
      );
      expect(paid.tenders.at(-1)).toMatchObject({
        amount: 1_000,
        redemption: { mode: 'offline', expiresAt: null },
      });
      expect(paid.customer?.loyalty?.offline).toMatchObject({ allowed: 500, limitedBy: 'balance' });
      expectOk(
        node.engine.execute(
          'sale-add-tender',
          { saleId: first, tender: { type: 'cash', amount: 290 } },
          as(),
        ),
      );
      expectOk(node.engine.execute('sale-complete', { saleId: first }, as()));
      const sale = checkedOutbox(node.engine).find((event) => event.type === 'sale.completed');
      expect(sale?.payload).toMatchObject({
        customerId: 'cust-ann',
        loyalty: { accountId: 'acct-ann', pointsRedeemed: 1_000, pointsEarned: 2 },
        tenders: [
          expect.objectContaining({
            type: 'loyalty_points',
            points: 1_000,
            amount: 1_000,
            reference: 'acct-ann',
          }),
          expect.anything(),
        ],
      });
      expect((sale?.payload as { loyalty: { holdId?: string } }).loyalty.holdId).toBeUndefined();
      expect(countRows(node.engine, 'offline_redemptions')).toBe(1);
      const receipt = expectOk(
        node.engine.execute(
          'receipt-preview',
          { receiptNumber: (sale?.payload as { receiptNumber: string }).receiptNumber },
          as(),
        ),
      ).receipt;
      expect(receipt.loyalty).toEqual({ earned: 2, redeemed: 1_000, balance: 500 });
      expect(receipt.payments[0]).toMatchObject({ type: 'loyalty_points', amount: 1_000 });
      // The customer's receipt names no internal account id (issue 14, bug 5: "Points la-01a2…").
      expect(receipt.payments[0]?.reference).toBeNull();
      expect(JSON.stringify(receipt)).not.toContain('acct-ann');

      const second = startSale();
      expectOk(node.engine.execute('sale-attach-customer', { saleId: second, customerId: 'cust-ann' }, as()));
      const refused = expectError(
        await node.engine.executeAsync(
          'sale-add-tender',
          { saleId: second, tender: { type: 'loyalty_points', points: 501 } },
          as(),
        ),
        'OFFLINE_LIMIT',
      );
      expect(refused.message).toMatch(/another tender/i);
      expectOk(
        node.engine.execute(
          'sale-add-tender',
          { saleId: second, tender: { type: 'loyalty_points', points: 500 } },
          as(),
        ),
      );

      // The hub answers again before the till pushed the first sale: its balance does not show those
      // 1,000 points yet, so the till keeps deducting them.
      later(60_000);
      hub.reachable = true;
      hub.customerAnswer = ann(1_500, node.clock.now());
      const refreshed = expectOk(
        await node.engine.executeAsync('customer-loyalty', { customerId: 'cust-ann' }, as()),
      );
      expect(refreshed.loyalty).toMatchObject({ source: 'hub', available: 1_500, offline: { allowed: 500 } });
    });

    it('refunds a returned points sale partly in points, in the same proportion as the money', async () => {
      setUp();
      const saleId = startSale(2);
      await attachAnn(saleId);
      hub.reachable = false;
      expectOk(
        await node.engine.executeAsync(
          'sale-add-tender',
          { saleId, tender: { type: 'loyalty_points', points: 129 } },
          as(),
        ),
      );
      expectOk(
        node.engine.execute('sale-add-tender', { saleId, tender: { type: 'cash', amount: 129 } }, as()),
      );
      const sale = expectOk(node.engine.execute('sale-complete', { saleId }, as()));
      const line = sale.lines[0]!;
      const returned = expectOk(
        node.engine.execute(
          'return-create',
          { receiptNumber: sale.receiptNumber ?? '', lines: [{ lineId: line.lineId, qty: 2 }] },
          as(),
        ),
      );
      expect(returned.refunds).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ type: 'loyalty_points', amount: 129 }),
          expect.objectContaining({ type: 'cash', amount: 129 }),
        ]),
      );
      const event = checkedOutbox(node.engine).find((candidate) => candidate.type === 'return.completed');
      expect(event?.payload).toMatchObject({
        refunds: expect.arrayContaining([expect.objectContaining({ type: 'loyalty_points', points: 129 })]),
      });
    });

    it('refuses points offline when the balance is too old or was never synced', async () => {
      setUp();
      const saleId = startSale();
      hub.reachable = false;
      expectError(
        node.engine.execute(
          'sale-add-tender',
          { saleId, tender: { type: 'loyalty_points', points: 10 } },
          as(),
        ),
        'NOT_ALLOWED',
      );
      hub.reachable = true;
      await attachAnn(saleId);
      hub.reachable = false;
      later(2 * DAY + 1);
      const error = expectError(
        await node.engine.executeAsync(
          'sale-add-tender',
          { saleId, tender: { type: 'loyalty_points', points: 10 } },
          as(),
        ),
        'OFFLINE_LIMIT',
      );
      expect(error.message).toMatch(/2 days ago/);
    });
  });

  describe('stored-value-balance and gift card tenders', () => {
    it('spends offline only what is left after an online payment from the same card (issue 14, bug 8)', async () => {
      setUp();
      expect(
        expectOk(await node.engine.executeAsync('stored-value-balance', { number: 'GC-0000-4321' }, as())),
      ).toMatchObject({ available: 3_000, source: 'hub' });
      const first = startSale(20);
      node.clock.advance(1_000);
      expectOk(
        await node.engine.executeAsync(
          'sale-add-tender',
          { saleId: first, tender: { type: 'gift_card', amount: 2_000, number: 'GC-0000-4321' } },
          as(),
        ),
      );
      await finishWithCash(first);

      hub.reachable = false;
      node.clock.advance(60_000);
      const offline = expectOk(
        await node.engine.executeAsync('stored-value-balance', { number: 'GC-0000-4321' }, as()),
      );
      expect(offline).toMatchObject({ source: 'cache', available: 1_000, offline: { allowed: 1_000 } });
      const second = startSale(20);
      expectError(
        await node.engine.executeAsync(
          'sale-add-tender',
          { saleId: second, tender: { type: 'gift_card', amount: 1_001, number: 'GC-0000-4321' } },
          as(),
        ),
        'OFFLINE_LIMIT',
      );
      expectOk(
        await node.engine.executeAsync(
          'sale-add-tender',
          { saleId: second, tender: { type: 'gift_card', amount: 1_000, number: 'GC-0000-4321' } },
          as(),
        ),
      );
    });

    it('refunds a gift card share onto that card, online or not, and the receipt names the card, not its account', async () => {
      setUp();
      const saleId = startSale(20);
      expectOk(
        await node.engine.executeAsync(
          'sale-add-tender',
          { saleId, tender: { type: 'gift_card', amount: 1_500, number: 'GC-0000-4321' } },
          as(),
        ),
      );
      await finishWithCash(saleId);
      const sale = expectOk(node.engine.execute('sale-get', { saleId }, as()));
      hub.reachable = false;
      const returned = expectOk(
        node.engine.execute(
          'return-create',
          {
            receiptNumber: sale.receiptNumber ?? '',
            lines: [{ lineId: sale.lines[0]!.lineId, qty: sale.lines[0]!.qty }],
          },
          as(),
        ),
      );
      const giftRefund = returned.refunds.find((refund) => refund.type === 'gift_card');
      expect(giftRefund).toMatchObject({ amount: 1_500, reference: '****4321' });
      expect(returned.refunds.some((refund) => refund.type === 'store_credit')).toBe(false);
      const event = checkedOutbox(node.engine).find((candidate) => candidate.type === 'return.completed');
      expect(event?.payload).toMatchObject({
        refunds: expect.arrayContaining([
          expect.objectContaining({ type: 'gift_card', amount: 1_500, reference: 'gc-1' }),
        ]),
      });
      const { receipt } = expectOk(
        node.engine.execute('receipt-preview', { receiptNumber: returned.receiptNumber }, as()),
      );
      expect(receipt.payments).toEqual(
        expect.arrayContaining([expect.objectContaining({ type: 'gift_card', reference: '****4321' })]),
      );
    });

    it('explains an exchange of a sale paid by points, gift card and cash: points back, the card by its masked number (issue 14, bug 4)', async () => {
      setUp();
      const first = startSale(10);
      await attachAnn(first);
      expectOk(
        await node.engine.executeAsync(
          'sale-add-tender',
          { saleId: first, tender: { type: 'loyalty_points', points: 500 } },
          as(),
        ),
      );
      expectOk(
        await node.engine.executeAsync(
          'sale-add-tender',
          { saleId: first, tender: { type: 'gift_card', amount: 500, number: 'GC-0000-4321' } },
          as(),
        ),
      );
      await finishWithCash(first);
      const original = expectOk(node.engine.execute('sale-get', { saleId: first }, as()));

      const exchange = startSale(1);
      expectOk(
        node.engine.execute(
          'sale-set-exchange',
          {
            saleId: exchange,
            exchange: {
              receiptNumber: original.receiptNumber ?? '',
              lines: [{ lineId: original.lines[0]!.lineId, qty: 10 }],
            },
          },
          as(),
        ),
      );
      const done = expectOk(await node.engine.executeAsync('sale-complete', { saleId: exchange }, as()));
      const refunds = done.exchange?.refunds ?? [];
      expect(refunds.map((refund) => refund.type).sort()).toEqual(['cash', 'gift_card', 'loyalty_points']);
      expect(refunds.find((refund) => refund.type === 'gift_card')).toMatchObject({ reference: '****4321' });
      const points = refunds.find((refund) => refund.type === 'loyalty_points');
      expect(points).toMatchObject({ reference: null, points: expect.any(Number) });
      expect(points?.points).toBeGreaterThan(0);
      expect(refunds.reduce((total, refund) => total + refund.amount, 0)).toBe(done.exchange?.refundDue);
      const { html } = expectOk(
        node.engine.execute('receipt-preview', { receiptNumber: done.receiptNumber ?? '' }, as()),
      );
      expect(html).not.toMatch(/acct-ann|gc-1|EXCHANGE-/);
      expect(html).toContain(`Refunded to Points (${points?.points} points)`);
      expect(html).toContain('Refunded to Gift card ****4321');
    });

    it('looks a card up at the hub, then takes it offline only up to the offline cap', async () => {
      setUp();
      const balance = expectOk(
        await node.engine.executeAsync('stored-value-balance', { number: 'GC-0000-4321' }, as()),
      );
      expect(balance).toMatchObject({
        kind: 'gift_card',
        maskedNumber: '****4321',
        available: 3_000,
        source: 'hub',
        offline: { allowed: 2_000 },
      });
      hub.reachable = false;
      expect(
        expectOk(await node.engine.executeAsync('stored-value-balance', { number: 'gc00004321' }, as())),
      ).toMatchObject({
        source: 'cache',
        available: 3_000,
      });
      expectError(
        await node.engine.executeAsync('stored-value-balance', { number: 'GC-9999-9999' }, as()),
        'NOT_FOUND',
      );
      const saleId = startSale(20);
      expectError(
        await node.engine.executeAsync(
          'sale-add-tender',
          { saleId, tender: { type: 'gift_card', amount: 2_001, number: 'GC-0000-4321' } },
          as(),
        ),
        'OFFLINE_LIMIT',
      );
      expectError(
        await node.engine.executeAsync(
          'sale-add-tender',
          { saleId, tender: { type: 'store_credit', amount: 100, number: 'GC-0000-4321' } },
          as(),
        ),
        'INVALID_INPUT',
      );
      const view = expectOk(
        await node.engine.executeAsync(
          'sale-add-tender',
          { saleId, tender: { type: 'gift_card', amount: 2_000, number: 'GC-0000-4321' } },
          as(),
        ),
      );
      expect(view.tenders.at(-1)).toMatchObject({
        type: 'gift_card',
        amount: 2_000,
        reference: 'gc-1',
        redemption: { mode: 'offline' },
      });
    });

    it('sends the card’s PIN to the hub and shows the hub’s refusal without it', async () => {
      setUp();
      hub.cardPin = '2468';
      expectError(
        await node.engine.executeAsync('stored-value-balance', { number: 'GC-0000-4321' }, as()),
        'FORBIDDEN',
      );
      expect(
        expectOk(
          await node.engine.executeAsync(
            'stored-value-balance',
            { number: 'GC-0000-4321', pin: '2468' },
            as(),
          ),
        ),
      ).toMatchObject({ source: 'hub', available: 3_000 });
      const saleId = startSale(20);
      expectOk(
        await node.engine.executeAsync(
          'sale-add-tender',
          { saleId, tender: { type: 'gift_card', amount: 500, number: 'GC-0000-4321', pin: '2468' } },
          as(),
        ),
      );
      expect(hub.pinsSent).toEqual([undefined, '2468', '2468']);
    });

    it('refuses a PIN card while the hub is away, whatever PIN is typed, and says why', async () => {
      setUp();
      hub.cardPin = '2468';
      expectOk(
        await node.engine.executeAsync('stored-value-balance', { number: 'GC-0000-4321', pin: '2468' }, as()),
      );
      hub.reachable = false;
      const balance = expectError(
        await node.engine.executeAsync('stored-value-balance', { number: 'GC-0000-4321', pin: '2468' }, as()),
        'OFFLINE_LIMIT',
      );
      expect(balance.message).toMatch(/\*\*\*\*4321 has a PIN, and only the hub can check it/);
      const saleId = startSale(20);
      expectError(
        await node.engine.executeAsync(
          'sale-add-tender',
          { saleId, tender: { type: 'gift_card', amount: 500, number: 'GC-0000-4321', pin: '2468' } },
          as(),
        ),
        'OFFLINE_LIMIT',
      );
      expect(expectOk(node.engine.execute('sale-get', { saleId }, as())).tenders).toEqual([]);
    });
  });

  describe('sale-add-gift-card', () => {
    function outboxSale(saleId: string) {
      const event = checkedOutbox(node.engine).find(
        (candidate) =>
          candidate.type === 'sale.completed' && (candidate.payload as { saleId: string }).saleId === saleId,
      );
      expect(event).toBeDefined();
      return event!;
    }

    it('sells a new card paid like a line; the event carries its digest, never its number, and the card is not spendable until the hub loads it', async () => {
      setUp();
      hub.unknownNumbers.add('GCNEW00017');
      const saleId = expectOk(node.engine.execute('sale-start', {}, as())).saleId;
      const added = expectOk(
        await node.engine.executeAsync(
          'sale-add-gift-card',
          { saleId, number: 'gc-new-0001 7', amount: 2_500 },
          as(),
        ),
      );
      expect(added.giftCards).toEqual([
        { lineId: expect.any(String), kind: 'activate', maskedNumber: '****0017', amount: 2_500 },
      ]);
      expect(added.totals).toMatchObject({ total: 2_500, cashDue: 2_500 });
      expect(added.payment).toMatchObject({ remaining: 2_500, complete: false });
      expectOk(
        await node.engine.executeAsync(
          'sale-add-tender',
          { saleId, tender: { type: 'cash', amount: 3_000 } },
          as(),
        ),
      );
      const done = expectOk(await node.engine.executeAsync('sale-complete', { saleId }, as()));
      expect(done).toMatchObject({ status: 'completed', totals: { total: 2_500 }, payment: { change: 500 } });
      expect(done.giftCards).toEqual(added.giftCards);
      const event = outboxSale(saleId);
      expect(event.payload).toMatchObject({
        lines: [],
        movements: [],
        giftCards: [
          {
            lineId: added.giftCards![0]!.lineId,
            kind: 'activate',
            numberDigest: createHash('sha256').update('GCNEW00017').digest('hex'),
            maskedNumber: '****0017',
            amount: 2_500,
          },
        ],
        totals: { total: 2_500, paid: 2_500, change: 500 },
      });
      expect(JSON.stringify(event.payload)).not.toContain('NEW0001');
      const { receipt } = expectOk(
        node.engine.execute('receipt-preview', { receiptNumber: done.receiptNumber ?? '' }, as()),
      );
      expect(receipt.lines).toEqual([
        expect.objectContaining({ name: 'Gift card ****0017 (new card)', amount: 2_500 }),
      ]);
      // Until the hub has applied the sale, neither the hub nor this till can spend the card.
      hub.reachable = false;
      const next = startSale(2);
      expectError(
        await node.engine.executeAsync(
          'sale-add-tender',
          { saleId: next, tender: { type: 'gift_card', amount: 100, number: 'GCNEW00017' } },
          as(),
        ),
        'OFFLINE_LIMIT',
      );
      expect(
        expectError(
          node.engine.execute('sale-post-void', { saleId, reason: 'wrong card', overrideId: 'x' }, as()),
          'NOT_ALLOWED',
        ).message,
      ).toMatch(/loaded a gift card, so it cannot be post-voided/);
    });

    it('reloads a card the hub or the cache knows, next to items; offline an unknown number is an activation', async () => {
      setUp();
      const saleId = startSale(2);
      const before = expectOk(node.engine.execute('sale-get', { saleId }, as())).totals.total;
      const reloaded = expectOk(
        await node.engine.executeAsync(
          'sale-add-gift-card',
          { saleId, number: 'GC-0000-4321', amount: 1_000 },
          as(),
        ),
      );
      expect(reloaded.giftCards).toEqual([expect.objectContaining({ kind: 'reload', amount: 1_000 })]);
      expect(reloaded.totals.total).toBe(before + 1_000);
      expect(reloaded.lines).toHaveLength(1);
      expectError(
        await node.engine.executeAsync(
          'sale-add-gift-card',
          { saleId, number: 'gc00004321', amount: 500 },
          as(),
        ),
        'CONFLICT',
      );
      hub.reachable = false;
      const offline = expectOk(
        await node.engine.executeAsync(
          'sale-add-gift-card',
          { saleId, number: 'GC-9999-0002', amount: 700 },
          as(),
        ),
      );
      expect(offline.giftCards?.map((load) => load.kind)).toEqual(['reload', 'activate']);
      const removed = expectOk(
        node.engine.execute('sale-remove-line', { saleId, lineId: offline.giftCards![1]!.lineId }, as()),
      );
      expect(removed.giftCards).toHaveLength(1);
      expect(removed.totals.total).toBe(before + 1_000);
      await finishWithCash(saleId);
      const event = outboxSale(saleId);
      const payload = event.payload as { lines: { paid: number }[]; giftCards: { amount: number }[] };
      expect(payload.giftCards).toEqual([expect.objectContaining({ kind: 'reload', amount: 1_000 })]);
      expect(payload.lines.reduce((total, line) => total + line.paid, 0)).toBe(before);
    });

    it('refuses store credit, a zero amount, and a refusal the hub gives for another reason', async () => {
      setUp();
      const saleId = expectOk(node.engine.execute('sale-start', {}, as())).saleId;
      hub.cardPin = '1234';
      // A PIN card exists: loading it needs no PIN, so the hub's PIN refusal means "reload".
      expect(
        expectOk(
          await node.engine.executeAsync(
            'sale-add-gift-card',
            { saleId, number: 'GC-0000-4321', amount: 500 },
            as(),
          ),
        ).giftCards,
      ).toEqual([expect.objectContaining({ kind: 'reload' })]);
      hub.cardPin = undefined;
      expectError(
        await node.engine.executeAsync(
          'sale-add-gift-card',
          { saleId, number: 'GC-0000-1111', amount: 0 },
          as(),
        ),
        'INVALID_INPUT',
      );
      hub.storedValue = () =>
        Promise.resolve({
          ok: true as const,
          value: { ...giftCard, account: { ...giftCard.account, kind: 'store_credit' as const } },
        });
      const refused = expectError(
        await node.engine.executeAsync(
          'sale-add-gift-card',
          { saleId, number: 'SC-0000-2222', amount: 500 },
          as(),
        ),
        'INVALID_INPUT',
      );
      expect(refused.message).toMatch(/store credit cannot be loaded/);
    });
  });
});
