import { randomUUID } from 'node:crypto';
import {
  LoyaltyProgrammeSchema,
  StoredValueSettingsSchema,
  balances,
  type LoyaltyEntry,
} from '@retail/domain';
import type { EventPayloads, PushAck } from '@retail/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getException } from '../exceptions/exception-queue';
import { createHubContext, type HubContext } from '../hub-context';
import { inHubTransaction } from '../hub-tx';
import { pushEvents } from '../ingest/hub-ingest';
import { putSetting } from '../settings/hq-settings';
import type { Storage } from '../storage/storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../test-support/backends';
import { EventFactory, enrollTestDevice, movement, saleOf, seedWorld } from '../test-support/fixtures';
import { customerAnswer, recordNewCustomer } from './customers';
import {
  dropHeldCredit,
  listHeldCredits,
  releaseHeldCredit,
  saveCreditLimit,
  storeDay,
} from './held-credits';
import { dropHeldPoints, listHeldPoints, releaseHeldPoints } from './held-points';
import { saveProgramme, saveStoredValueSettings } from './loyalty-config';
import { adjustAccountPoints, issueStoredCredit, storedValueByNumber } from './loyalty-service';

const DAY = 86_400_000;
const T0 = Date.parse('2026-11-23T10:00:00.000Z');
const at = (ms: number) => new Date(ms).toISOString();

function programme(pointsPerCent: number) {
  return LoyaltyProgrammeSchema.parse({
    programmeId: 'rewards',
    currency: 'USD',
    returnWindowDays: 30,
    pointsExpiryDays: 365,
    pointValue: { points: pointsPerCent, value: { amount: 1, currency: 'USD' } },
    holdTtlMs: 300_000,
    offline: { maxSnapshotAgeMs: DAY, perTransactionCapPoints: 1_000, perDeviceDayCapPoints: 3_000 },
    tiers: [{ tierId: 'base', name: 'Member', earnPoints: 1, earnPerMinor: 100, qualifyingPoints: 0 }],
  });
}

describe.each(backendKinds())('loyalty/held value on %s', (kind) => {
  let database: TestDatabase;
  let storage: Storage;
  let hub: HubContext;
  const clock = { now: T0 };
  let till: EventFactory;
  let members = 0;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    storage = await database.open();
    hub = createHubContext(storage, () => clock.now);
    await seedWorld(hub, { nodes: ['s1'], skus: ['A'] });
    // 1 point pays 1 cent until T0, then 2 points pay 1 cent.
    await saveProgramme(storage.db, programme(1), 'test', T0 - 10 * DAY);
    await saveProgramme(storage.db, programme(2), 'test', T0);
    await saveStoredValueSettings(
      storage.db,
      StoredValueSettingsSchema.parse({
        currency: 'USD',
        holdTtlMs: 300_000,
        offline: {
          maxSnapshotAgeMs: DAY,
          perTransactionCap: { amount: 1, currency: 'USD' },
          perDeviceDayCap: { amount: 1, currency: 'USD' },
        },
      }),
      'test',
      T0,
    );
    const device = await enrollTestDevice(hub, 's1');
    till = new EventFactory({ deviceId: device.deviceId, storeId: 's1' });
  });

  afterAll(async () => {
    await storage?.close();
    await database?.dispose();
  });

  async function push(type: keyof EventPayloads, payload: unknown): Promise<PushAck> {
    const ack = await pushEvents(hub, till.device, {
      ...till.device,
      events: [till.next(type, payload as Record<string, unknown>)],
    });
    expect(ack.results.map((result) => result.status)).toEqual(['accepted']);
    return ack;
  }

  async function member(points = 0) {
    const customerId = randomUUID();
    members += 1;
    const phone = `+1555000${String(members).padStart(4, '0')}`;
    await inHubTransaction(hub, (tx) => recordNewCustomer(tx, { customerId, phone }, { createdAt: tx.at }));
    const accountId = (await customerAnswer(storage.db, customerId, hub.now()))!.account!.accountId;
    if (points > 0)
      await adjustAccountPoints(hub, accountId, { adjustmentId: randomUUID(), points, reason: 't' });
    return { customerId, accountId };
  }

  async function entries(accountId: string): Promise<LoyaltyEntry[]> {
    const rows = await storage.db
      .selectFrom('loyalty_entries')
      .select('entry')
      .where('account_id', '=', accountId)
      .execute();
    return rows.map((row) => JSON.parse(row.entry) as LoyaltyEntry);
  }

  /** A sale the pricing audit fails (no published price book): its points are held. */
  function unpricedSale(customerId: string, paid: number, completedAt = at(T0)) {
    const sale = saleOf([{ sku: 'A', qty: 1 }]);
    return {
      ...sale,
      customerId,
      lines: [{ ...sale.lines[0]!, unitPrice: paid, extended: paid, net: paid, paid }],
      totals: { subtotal: paid, discount: 0, tax: 0, total: paid, cashRounding: 0, paid, change: 0 },
      tenders: [{ tenderId: randomUUID(), type: 'cash' as const, amount: paid }],
      completedAt,
    };
  }

  describe('held points', () => {
    it('earns held points on release, dated at the sale and less what a return refunded since', async () => {
      const customer = await member();
      const sale = unpricedSale(customer.customerId, 50_000);
      await push('sale.completed', sale);
      expect(await entries(customer.accountId)).toEqual([]);
      const [held] = (await listHeldPoints(storage.db, { status: 'held', limit: 500 })).filter(
        (row) => row.saleId === sale.saleId,
      );
      expect(held).toMatchObject({ points: 500, eligible: 50_000 });
      await push('return.completed', {
        returnId: randomUUID(),
        receiptNumber: 'RT-1',
        originalSaleId: sale.saleId,
        shiftId: 'shift-1',
        staffId: 'staff-1',
        currency: 'USD',
        lines: [
          {
            returnLineId: randomUUID(),
            originalLineId: sale.lines[0]!.lineId,
            sku: 'A',
            qty: 1,
            refund: 20_000,
            disposition: 'sellable',
          },
        ],
        refunds: [{ tenderId: randomUUID(), type: 'cash', amount: 20_000 }],
        movements: [movement('A', 1, 'RETURN_RESTOCK')],
        completedAt: at(T0),
      });

      const released = await releaseHeldPoints(hub, held!.holdId, 'user:hq', 'Checked the receipt.');
      expect(released).toMatchObject({ status: 'released', decidedBy: 'user:hq' });
      const earned = await entries(customer.accountId);
      expect(earned).toMatchObject([{ type: 'EARN_PENDING', points: 300, occurredAt: T0 }]);
      expect(balances(earned, T0 + 31 * DAY)).toMatchObject({ available: 300 });
      expect(await getException(storage.db, held!.exceptionId)).toMatchObject({
        status: 'resolved',
        resolvedBy: 'user:hq',
      });
      await expect(releaseHeldPoints(hub, held!.holdId, 'user:hq', 'Again.')).rejects.toMatchObject({
        code: 'CONFLICT',
      });
    });

    it('drops held points for good, and refuses to release the points of a voided sale', async () => {
      const customer = await member();
      const dropped = unpricedSale(customer.customerId, 10_000);
      const voided = unpricedSale(customer.customerId, 10_000);
      await push('sale.completed', dropped);
      await push('sale.completed', voided);
      await push('sale.voided', {
        saleId: voided.saleId,
        receiptNumber: voided.receiptNumber,
        reason: 'mistake',
        override: { managerId: 'staff-1', reason: 'void', at: at(T0) },
        currency: 'USD',
        refunds: [],
        movements: [movement('A', 1, 'POS_VOID')],
        voidedAt: at(T0),
      });
      await dropHeldPoints(hub, dropped.saleId, 'user:hq', 'Fake sale.');
      await expect(releaseHeldPoints(hub, voided.saleId, 'user:hq', 'Looks fine.')).rejects.toMatchObject({
        code: 'CONFLICT',
        message: expect.stringMatching(/voided/),
      });
      expect(await entries(customer.accountId)).toEqual([]);
    });

    it('checks a redemption at the programme’s rate when the sale was made, not today’s', async () => {
      const customer = await member(10_000);
      const before = unpricedSale(customer.customerId, 100, at(T0 - DAY));
      // At the old rate 100 points paid 100 cents; today they would pay only 50.
      const fair = {
        ...before,
        tenders: [{ tenderId: randomUUID(), type: 'loyalty_points', points: 100, amount: 100 }],
      };
      await push('sale.completed', fair);
      const mismatches = await storage.db
        .selectFrom('exceptions')
        .select('details')
        .where('type', '=', 'LOYALTY_CLAIM_MISMATCH')
        .execute();
      expect(mismatches.filter((row) => row.details.includes(fair.saleId))).toEqual([]);
      const now = unpricedSale(customer.customerId, 100);
      const overclaimed = {
        ...now,
        tenders: [{ tenderId: randomUUID(), type: 'loyalty_points', points: 100, amount: 100 }],
      };
      await push('sale.completed', overclaimed);
      const [mismatch] = (
        await storage.db
          .selectFrom('exceptions')
          .select('details')
          .where('type', '=', 'LOYALTY_CLAIM_MISMATCH')
          .execute()
      ).filter((row) => row.details.includes(overclaimed.saleId));
      expect(JSON.parse(mismatch!.details)).toMatchObject({ till: { amount: 100 }, hub: { amount: 50 } });
    });
  });

  describe('frozen store credit', () => {
    function noReceiptReturn(amount: number, slip: string, auditRef?: string) {
      return {
        returnId: randomUUID(),
        receiptNumber: 'RT-2',
        shiftId: 'shift-1',
        staffId: 'staff-1',
        currency: 'USD',
        lines: [{ returnLineId: randomUUID(), sku: 'A', qty: 1, refund: amount, disposition: 'sellable' }],
        refunds: [{ tenderId: randomUUID(), type: 'store_credit', amount, reference: slip }],
        override: {
          managerId: 'staff-1',
          reason: 'no receipt',
          at: at(T0),
          ...(auditRef ? { auditRef } : {}),
        },
        movements: [movement('A', 1, 'RETURN_RESTOCK')],
        completedAt: at(T0),
      };
    }

    it('freezes credit whose override lacks the till’s audit reference; a drop never issues it', async () => {
      const slip = `SC-${randomUUID()}`;
      await push('return.completed', noReceiptReturn(700, slip));
      const [held] = (await listHeldCredits(storage.db, { status: 'held', limit: 500 })).filter(
        (row) => row.maskedNumber === `****${slip.slice(-4).toUpperCase()}`,
      );
      expect(held).toMatchObject({ amount: 700, reasons: [expect.stringMatching(/audit reference/)] });
      await dropHeldCredit(hub, held!.creditId, 'user:hq', 'No such return at the store.');
      await expect(storedValueByNumber(hub, { number: slip })).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      await expect(
        releaseHeldCredit(hub, held!.creditId, 'user:hq', 'Changed my mind.'),
      ).rejects.toMatchObject({
        code: 'CONFLICT',
      });
    });

    it('counts credit against the limit per store and local day', async () => {
      await saveCreditLimit(storage.db, { currency: 'USD', perStoreDay: 1_000 }, 'test', T0);
      clock.now = T0 + 2 * DAY;
      const first = `SC-${randomUUID()}`;
      const second = `SC-${randomUUID()}`;
      await push('return.completed', noReceiptReturn(600, first, 'ov-1'));
      await push('return.completed', noReceiptReturn(600, second, 'ov-2'));
      expect((await storedValueByNumber(hub, { number: first })).snapshot.available.amount).toBe(600);
      await expect(storedValueByNumber(hub, { number: second })).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      // The next day at the store starts again.
      clock.now += DAY;
      const third = `SC-${randomUUID()}`;
      await push('return.completed', noReceiptReturn(600, third, 'ov-3'));
      expect((await storedValueByNumber(hub, { number: third })).snapshot.available.amount).toBe(600);
      clock.now = T0;
    });
    it('holds credit past the store’s own limit from HQ’s store settings, over the currency’s limit', async () => {
      const scope = { kind: 'store' as const, storeId: 's1' };
      await putSetting(
        hub,
        'hub.loyalty.storeCreditPerStoreDay',
        { scope, value: 500, expectedVersion: 0 },
        'test',
      );
      clock.now = T0 + 5 * DAY;
      const within = `SC-${randomUUID()}`;
      const beyond = `SC-${randomUUID()}`;
      await push('return.completed', noReceiptReturn(400, within, 'ov-4'));
      await push('return.completed', noReceiptReturn(400, beyond, 'ov-5'));
      expect((await storedValueByNumber(hub, { number: within })).snapshot.available.amount).toBe(400);
      const [held] = (await listHeldCredits(storage.db, { status: 'held', limit: 500 })).filter(
        (row) => row.maskedNumber === `****${beyond.slice(-4).toUpperCase()}`,
      );
      expect(held).toMatchObject({
        amount: 400,
        reasons: [expect.stringMatching(/daily limit of 5\.00 USD/)],
      });
      expect(await getException(storage.db, held!.exceptionId)).toMatchObject({
        type: 'STORE_CREDIT_HELD',
        status: 'open',
      });
      await putSetting(
        hub,
        'hub.loyalty.storeCreditPerStoreDay',
        { scope, value: null, expectedVersion: 1 },
        'test',
      );
      clock.now = T0;
    });
  });

  describe('PIN cards paid offline', () => {
    async function giftCard(amount: number, pin?: string) {
      const number = `GC${randomUUID().replace(/-/g, '').slice(0, 16)}`;
      const accountId = await inHubTransaction(hub, (tx) =>
        issueStoredCredit(tx, {
          number,
          issueId: randomUUID(),
          amount,
          currency: 'USD',
          kind: 'gift_card',
          ...(pin === undefined ? {} : { pin }),
        }),
      );
      return { number, accountId };
    }

    function paidByCard(accountId: string, amount: number) {
      return {
        ...unpricedSale(randomUUID(), amount),
        customerId: undefined,
        tenders: [{ tenderId: randomUUID(), type: 'gift_card', amount, reference: accountId }],
      };
    }

    it('holds a PIN card’s payment the hub never held for review and takes nothing off the card', async () => {
      const card = await giftCard(2_000, '4321');
      const sale = paidByCard(card.accountId, 500);
      await push('sale.completed', sale);
      const after = await storedValueByNumber(hub, { number: card.number, pin: '4321' });
      expect(after.snapshot.available.amount).toBe(2_000);
      const [review] = (
        await storage.db
          .selectFrom('exceptions')
          .select('details')
          .where('type', '=', 'STORED_VALUE_PIN_REVIEW')
          .execute()
      ).filter((row) => row.details.includes(sale.saleId));
      expect(JSON.parse(review!.details)).toMatchObject({
        accountId: card.accountId,
        amount: 500,
        message: expect.stringMatching(/Nothing was taken off the card/),
      });
    });

    it('books an offline payment from a card without a PIN as before', async () => {
      const card = await giftCard(2_000);
      const sale = paidByCard(card.accountId, 500);
      await push('sale.completed', sale);
      expect((await storedValueByNumber(hub, { number: card.number })).snapshot.available.amount).toBe(1_500);
      const reviews = await storage.db
        .selectFrom('exceptions')
        .select('details')
        .where('type', '=', 'STORED_VALUE_PIN_REVIEW')
        .execute();
      expect(reviews.filter((row) => row.details.includes(sale.saleId))).toEqual([]);
    });
  });

  describe('storeDay', () => {
    it('is the calendar day at the store', () => {
      const lateEvening = Date.parse('2026-11-24T03:30:00.000Z');
      expect(storeDay(lateEvening, 'America/New_York')).toBe('2026-11-23');
      expect(storeDay(lateEvening, 'Europe/Dublin')).toBe('2026-11-24');
      expect(storeDay(lateEvening, 'Not/A_Zone')).toBe('2026-11-24');
    });
  });
});
