import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import {
  LoyaltyEntrySchema,
  LoyaltyProgrammeSchema,
  StoredValueSettingsSchema,
  balances,
  type LoyaltyEntry,
} from '@retail/domain';
import type { EventPayloads, PushAck } from '@retail/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushEvents } from '../ingest/hub-ingest';
import { createHubContext, type HubContext } from '../hub-context';
import { inHubTransaction } from '../hub-tx';
import type { Storage } from '../storage/storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../test-support/backends';
import { EventFactory, enrollTestDevice, movement, saleOf, seedWorld } from '../test-support/fixtures';
import { customerAnswer, findCustomers, recordNewCustomer } from './customers';
import { saveProgramme, saveStoredValueSettings } from './loyalty-config';
import {
  adjustAccountPoints,
  placeRedemptionHold,
  releaseRedemptionHold,
  runLoyaltyPass,
  storedValueByNumber,
} from './loyalty-service';

const DAY = 86_400_000;
const T0 = 1_800_000_000_000;

const programme = LoyaltyProgrammeSchema.parse({
  programmeId: 'rewards',
  currency: 'USD',
  returnWindowDays: 30,
  pointsExpiryDays: 365,
  pointValue: { points: 100, value: { amount: 100, currency: 'USD' } },
  holdTtlMs: 5 * 60_000,
  offline: { maxSnapshotAgeMs: 2 * DAY, perTransactionCapPoints: 1_000, perDeviceDayCapPoints: 3_000 },
  tiers: [{ tierId: 'base', name: 'Member', earnPoints: 1, earnPerMinor: 100, qualifyingPoints: 0 }],
});

const STORED_VALUE_TYPES_IN_BALANCE = [
  'EARN_PENDING',
  'ADJUST',
  'REDEMPTION_REFUND',
  'EARN_REVERSAL',
  'OFFLINE_OVERDRAFT',
  'REDEEM_CAPTURE',
];

interface World {
  readonly database: TestDatabase;
  readonly storage: Storage;
  readonly hub: HubContext;
  readonly clock: { now: number };
  readonly devices: Record<'s1' | 's2', EventFactory>;
}

async function createWorld(kind: 'sqlite' | 'postgres'): Promise<World> {
  const database = await createTestDatabase(kind);
  const storage = await database.open({ poolSize: 6 });
  const clock = { now: T0 };
  const hub = createHubContext(storage, () => clock.now);
  await seedWorld(hub, { nodes: ['s1', 's2'], skus: ['A'] });
  await saveProgramme(storage.db, programme, 'test', T0);
  await saveStoredValueSettings(
    storage.db,
    StoredValueSettingsSchema.parse({
      currency: 'USD',
      holdTtlMs: 5 * 60_000,
      offline: {
        maxSnapshotAgeMs: DAY,
        perTransactionCap: { amount: 2_000, currency: 'USD' },
        perDeviceDayCap: { amount: 5_000, currency: 'USD' },
      },
    }),
    'test',
    T0,
  );
  const devices = {
    s1: new EventFactory({ deviceId: (await enrollTestDevice(hub, 's1')).deviceId, storeId: 's1' }),
    s2: new EventFactory({ deviceId: (await enrollTestDevice(hub, 's2')).deviceId, storeId: 's2' }),
  };
  return { database, storage, hub, clock, devices };
}

function push(world: World, store: 's1' | 's2', events: { type: keyof EventPayloads; payload: unknown }[]) {
  const factory = world.devices[store];
  return pushEvents(world.hub, factory.device, {
    ...factory.device,
    // Staff belong to one store at the hub: each store's events name its own.
    events: events.map((event) =>
      factory.next(event.type, { ...(event.payload as Record<string, unknown>), staffId: `staff-${store}` }),
    ),
  });
}

function expectApplied(ack: PushAck): void {
  expect(ack.results.filter((result) => result.status !== 'accepted')).toEqual([]);
}

/** A sale of `paid` cents, paid with `points` points (worth points cents) plus cash for the rest. */
function pointsSale(
  customerId: string | undefined,
  paid: number,
  points: { tenderId: string; points: number; accountId: string } | undefined,
  stored?: { tenderId: string; amount: number; accountId: string },
): EventPayloads['sale.completed'] {
  const sale = saleOf([{ sku: 'A', qty: 1 }]);
  const line = sale.lines[0]!;
  const nonCash = (points?.points ?? 0) + (stored?.amount ?? 0);
  // Priced by its label, which the hub's pricing audit takes as recorded: the sale earns its points.
  return {
    ...sale,
    ...(customerId === undefined ? {} : { customerId }),
    priceBookVersion: '',
    lines: [{ ...line, priceSource: 'label', unitPrice: paid, extended: paid, net: paid, paid }],
    totals: { subtotal: paid, discount: 0, tax: 0, total: paid, cashRounding: 0, paid, change: 0 },
    tenders: [
      ...(points === undefined
        ? []
        : [
            {
              tenderId: points.tenderId,
              type: 'loyalty_points' as const,
              amount: points.points,
              points: points.points,
              reference: points.accountId,
            },
          ]),
      ...(stored === undefined
        ? []
        : [
            {
              tenderId: stored.tenderId,
              type: 'store_credit' as const,
              amount: stored.amount,
              reference: stored.accountId,
            },
          ]),
      ...(paid - nonCash > 0
        ? [{ tenderId: randomUUID(), type: 'cash' as const, amount: paid - nonCash }]
        : []),
    ],
    ...(points === undefined
      ? {}
      : { loyalty: { accountId: points.accountId, pointsEarned: 0, pointsRedeemed: points.points } }),
    completedAt: new Date(T0).toISOString(),
  };
}

function noReceiptReturn(number: string, amount: number): EventPayloads['return.completed'] {
  const returnId = randomUUID();
  return {
    returnId,
    receiptNumber: `R-${returnId.slice(0, 8)}`,
    shiftId: 'shift-1',
    staffId: 'staff-1',
    currency: 'USD',
    lines: [{ returnLineId: randomUUID(), sku: 'A', qty: 1, refund: amount, disposition: 'sellable' }],
    refunds: [{ tenderId: randomUUID(), type: 'store_credit', amount, reference: number }],
    override: {
      managerId: 'manager-1',
      reason: 'no receipt',
      at: new Date(T0).toISOString(),
      auditRef: 'ov-1',
    },
    movements: [movement('A', 1, 'RETURN_RESTOCK')],
    completedAt: new Date(T0).toISOString(),
  };
}

async function ledger(world: World, accountId: string): Promise<LoyaltyEntry[]> {
  const rows = await world.storage.db
    .selectFrom('loyalty_entries')
    .select('entry')
    .where('account_id', '=', accountId)
    .execute();
  return rows.map((row) => LoyaltyEntrySchema.parse(JSON.parse(row.entry)));
}

async function newMember(world: World, phone: string): Promise<{ customerId: string; accountId: string }> {
  const customerId = randomUUID();
  await inHubTransaction(world.hub, (tx) =>
    recordNewCustomer(tx, { customerId, phone }, { createdAt: tx.at }),
  );
  const answer = await customerAnswer(world.storage.db, customerId, world.clock.now);
  if (!answer?.account) throw new Error('no account');
  return { customerId, accountId: answer.account.accountId };
}

async function exceptionsOf(world: World, type: string) {
  return world.storage.db.selectFrom('exceptions').selectAll().where('type', '=', type).execute();
}

describe.each(backendKinds())('hub loyalty on %s', (kind) => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld(kind);
  });
  afterAll(async () => {
    await world.storage.close();
    await world.database.dispose();
  });

  describe('applyOfflineRedemption via sale.completed', () => {
    it('records exactly one overdraft exception when two stores spend the same points offline', async () => {
      const member = await newMember(world, '+15550000001');
      await adjustAccountPoints(world.hub, member.accountId, {
        adjustmentId: randomUUID(),
        points: 1_000,
        reason: 'Welcome',
      });
      const first = {
        type: 'sale.completed' as const,
        payload: pointsSale(member.customerId, 2_000, {
          tenderId: randomUUID(),
          points: 800,
          accountId: member.accountId,
        }),
      };
      const second = {
        type: 'sale.completed' as const,
        payload: pointsSale(member.customerId, 2_000, {
          tenderId: randomUUID(),
          points: 800,
          accountId: member.accountId,
        }),
      };
      expectApplied(await push(world, 's1', [first]));
      expectApplied(await push(world, 's2', [second]));
      const overdrafts = (await exceptionsOf(world, 'LOYALTY_OVERDRAFT')).filter(
        (row) => (JSON.parse(row.details) as { accountId: string }).accountId === member.accountId,
      );
      expect(overdrafts).toHaveLength(1);
      expect(JSON.parse(overdrafts[0]!.details)).toMatchObject({ points: 600 });
      expect(overdrafts[0]!.node_id).toBe('s2');
      const entries = await ledger(world, member.accountId);
      expect(balances(entries, world.clock.now)).toMatchObject({ available: -600, overdraft: 600 });
      // Online operations never go below zero: the account can hold nothing now.
      await expect(
        placeRedemptionHold(world.hub, world.devices.s1.device, {
          kind: 'points',
          accountId: member.accountId,
          holdId: randomUUID(),
          points: 1,
        }),
      ).rejects.toMatchObject({ code: 'INSUFFICIENT_BALANCE' });
    });
  });

  describe('placeRedemptionHold', () => {
    it('never redeems pending points, activates them after the return window, and captures the hold with the sale', async () => {
      const member = await newMember(world, '+15550000002');
      expectApplied(
        await push(world, 's1', [
          { type: 'sale.completed', payload: pointsSale(member.customerId, 50_000, undefined) },
        ]),
      );
      let entries = await ledger(world, member.accountId);
      expect(balances(entries, world.clock.now)).toMatchObject({ pending: 500, available: 0 });
      await expect(
        placeRedemptionHold(world.hub, world.devices.s1.device, {
          kind: 'points',
          accountId: member.accountId,
          holdId: randomUUID(),
          points: 1,
        }),
      ).rejects.toMatchObject({ code: 'INSUFFICIENT_BALANCE' });

      world.clock.now += 30 * DAY + 1;
      const pass = await runLoyaltyPass(world.hub);
      expect(pass.entries).toBeGreaterThan(0);
      entries = await ledger(world, member.accountId);
      expect(entries.some((entry) => entry.type === 'EARN_ACTIVATE')).toBe(true);

      const released = randomUUID();
      const hold = await placeRedemptionHold(world.hub, world.devices.s1.device, {
        kind: 'points',
        accountId: member.accountId,
        holdId: released,
        points: 300,
      });
      expect(hold.loyalty?.snapshot).toMatchObject({ available: 200, held: 300 });
      expect(
        await releaseRedemptionHold(world.hub, world.devices.s1.device, { kind: 'points', holdId: released }),
      ).toEqual({ holdId: released, released: true });

      const holdId = randomUUID();
      await placeRedemptionHold(world.hub, world.devices.s1.device, {
        kind: 'points',
        accountId: member.accountId,
        holdId,
        points: 400,
      });
      expectApplied(
        await push(world, 's1', [
          {
            type: 'sale.completed',
            payload: pointsSale(member.customerId, 400, {
              tenderId: holdId,
              points: 400,
              accountId: member.accountId,
            }),
          },
        ]),
      );
      entries = await ledger(world, member.accountId);
      expect(balances(entries, world.clock.now)).toMatchObject({ available: 100, held: 0 });
      expect(entries.filter((entry) => entry.type === 'OFFLINE_OVERDRAFT')).toEqual([]);
    });

    it('releases a hold the till never captured once its time is up', async () => {
      const member = await newMember(world, '+15550000003');
      await adjustAccountPoints(world.hub, member.accountId, {
        adjustmentId: randomUUID(),
        points: 500,
        reason: 'Goodwill',
      });
      await placeRedemptionHold(world.hub, world.devices.s2.device, {
        kind: 'points',
        accountId: member.accountId,
        holdId: randomUUID(),
        points: 500,
      });
      world.clock.now += programme.holdTtlMs;
      await runLoyaltyPass(world.hub);
      expect(balances(await ledger(world, member.accountId), world.clock.now)).toMatchObject({
        available: 500,
        held: 0,
      });
    });
  });

  describe('sale.voided', () => {
    it('gives back the points a post-voided sale spent and reverses what it earned', async () => {
      const member = await newMember(world, '+15550000005');
      await adjustAccountPoints(world.hub, member.accountId, {
        adjustmentId: randomUUID(),
        points: 1_000,
        reason: 'Welcome',
      });
      const holdId = randomUUID();
      await placeRedemptionHold(world.hub, world.devices.s1.device, {
        kind: 'points',
        accountId: member.accountId,
        holdId,
        points: 400,
      });
      const sale = pointsSale(member.customerId, 5_000, {
        tenderId: holdId,
        points: 400,
        accountId: member.accountId,
      });
      expectApplied(await push(world, 's1', [{ type: 'sale.completed', payload: sale }]));
      expect(balances(await ledger(world, member.accountId), world.clock.now)).toMatchObject({
        // The fixture's sale is dated before the return window ended, so its 46 points are usable already.
        available: 646,
        lifetime: 1_046,
      });
      const voided: EventPayloads['sale.voided'] = {
        saleId: sale.saleId,
        receiptNumber: sale.receiptNumber,
        reason: 'wrong customer',
        override: { managerId: 'm1', reason: 'wrong customer', at: new Date(world.clock.now).toISOString() },
        currency: 'USD',
        refunds: sale.tenders.map((tender) => ({ ...tender, tenderId: randomUUID() })),
        movements: [movement('A', 1, 'POS_VOID')],
        voidedAt: new Date(world.clock.now).toISOString(),
      };
      expectApplied(await push(world, 's1', [{ type: 'sale.voided', payload: voided }]));
      expect(balances(await ledger(world, member.accountId), world.clock.now)).toMatchObject({
        available: 1_000,
        lifetime: 1_000,
        held: 0,
      });
    });
  });

  describe('customer.created', () => {
    it('merges a till-created customer by phone, tells the store, and books its sale on the existing account', async () => {
      const member = await newMember(world, '+15550000004');
      const temporaryId = randomUUID();
      expectApplied(
        await push(world, 's1', [
          {
            type: 'customer.created',
            payload: {
              customerId: temporaryId,
              name: 'Dana',
              phone: '+15550000004',
              createdAt: new Date(world.clock.now).toISOString(),
            },
          },
          { type: 'sale.completed', payload: pointsSale(temporaryId, 1_000, undefined) },
        ]),
      );
      const temporary = await world.storage.db
        .selectFrom('customers')
        .selectAll()
        .where('customer_id', '=', temporaryId)
        .executeTakeFirstOrThrow();
      expect(temporary.merged_into).toBe(member.customerId);
      expect(
        await world.storage.db
          .selectFrom('loyalty_accounts')
          .select('account_id')
          .where('customer_id', '=', temporaryId)
          .execute(),
      ).toEqual([]);
      expect(balances(await ledger(world, member.accountId), world.clock.now).lifetime).toBe(10);
      const feed = await world.storage.db
        .selectFrom('feed_changes')
        .selectAll()
        .where('entity', '=', 'customer')
        .where('entity_key', '=', temporaryId)
        .execute();
      expect(feed).toHaveLength(1);
      expect(feed[0]).toMatchObject({ scope: 's1' });
      expect(JSON.parse(feed[0]!.data ?? '{}')).toMatchObject({
        customerId: temporaryId,
        customer: { customer: { customerId: member.customerId, name: 'Dana' } },
      });
      const found = await findCustomers(world.storage.db, '+1 555 000 0004', world.clock.now);
      expect(found.map((answer) => answer.customer.customerId)).toEqual([member.customerId]);
    });
  });

  describe('stored value', () => {
    it('issues store credit from a no-receipt return at one store that another store holds and captures', async () => {
      const slip = `SC-${randomUUID()}`;
      expectApplied(
        await push(world, 's1', [{ type: 'return.completed', payload: noReceiptReturn(slip, 1_500) }]),
      );
      const found = await storedValueByNumber(world.hub, { number: slip });
      expect(found).toMatchObject({
        account: { kind: 'store_credit' },
        snapshot: { available: { amount: 1_500 } },
      });
      const holdId = randomUUID();
      const hold = await placeRedemptionHold(world.hub, world.devices.s2.device, {
        kind: 'stored_value',
        accountId: found.account.accountId,
        holdId,
        amount: 1_000,
      });
      expect(hold.storedValue).toMatchObject({ available: { amount: 500 }, held: { amount: 1_000 } });
      expectApplied(
        await push(world, 's2', [
          {
            type: 'sale.completed',
            payload: pointsSale(undefined, 1_000, undefined, {
              tenderId: holdId,
              amount: 1_000,
              accountId: found.account.accountId,
            }),
          },
        ]),
      );
      expect((await storedValueByNumber(world.hub, { number: slip })).snapshot).toMatchObject({
        available: { amount: 500 },
        held: { amount: 0 },
      });
      await expect(
        placeRedemptionHold(world.hub, world.devices.s2.device, {
          kind: 'stored_value',
          accountId: found.account.accountId,
          holdId: randomUUID(),
          amount: 501,
        }),
      ).rejects.toMatchObject({ code: 'INSUFFICIENT_BALANCE' });
    });
  });

  describe('effects the ledger refuses', () => {
    it('books none of a sale’s loyalty effects when one contradicts the ledger, and still applies the sale', async () => {
      const member = await newMember(world, '+15550000009');
      await adjustAccountPoints(world.hub, member.accountId, {
        adjustmentId: randomUUID(),
        points: 1_000,
        reason: 'Welcome',
      });
      const slip = `SC-${randomUUID()}`;
      expectApplied(
        await push(world, 's1', [{ type: 'return.completed', payload: noReceiptReturn(slip, 1_500) }]),
      );
      const card = await storedValueByNumber(world.hub, { number: slip });
      const tenderId = randomUUID();
      await placeRedemptionHold(world.hub, world.devices.s1.device, {
        kind: 'points',
        accountId: member.accountId,
        holdId: tenderId,
        points: 100,
      });
      const pointsBefore = await ledger(world, member.accountId);
      // The card is captured first, then the points tender claims more points than its hold holds.
      const contradicting = pointsSale(
        member.customerId,
        700,
        { tenderId, points: 200, accountId: member.accountId },
        { tenderId: randomUUID(), amount: 500, accountId: card.account.accountId },
      );
      const ack = await push(world, 's1', [{ type: 'sale.completed', payload: contradicting }]);
      expectApplied(ack);
      expect((await storedValueByNumber(world.hub, { number: slip })).snapshot).toMatchObject({
        available: { amount: 1_500 },
      });
      expect(await ledger(world, member.accountId)).toEqual(pointsBefore);
      const [refused] = (await exceptionsOf(world, 'LOYALTY_NOT_BOOKED')).filter((row) =>
        (JSON.parse(row.cause_event_ids) as string[]).includes(ack.results[0]!.eventId),
      );
      expect(refused).toBeDefined();
      expect(
        await world.storage.db
          .selectFrom('sales')
          .select('status')
          .where('sale_id', '=', contradicting.saleId)
          .executeTakeFirst(),
      ).toEqual({ status: 'completed' });
    });
  });

  describe('ledger as stored', () => {
    it('keeps balance = sum of entries, never redeems pending points, and only an overdraft goes negative', async () => {
      const operation = fc.oneof(
        fc.record({ kind: fc.constant('earn' as const), paid: fc.integer({ min: 100, max: 50_000 }) }),
        fc.record({ kind: fc.constant('credit' as const), points: fc.integer({ min: 1, max: 800 }) }),
        fc.record({
          kind: fc.constant('hold' as const),
          points: fc.integer({ min: 1, max: 1_500 }),
          capture: fc.boolean(),
        }),
        fc.record({ kind: fc.constant('offline' as const), points: fc.integer({ min: 1, max: 1_500 }) }),
        fc.record({ kind: fc.constant('time' as const), days: fc.integer({ min: 1, max: 40 }) }),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 6 }), async (operations) => {
          const member = await newMember(
            world,
            `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`,
          );
          let offlineUsed = false;
          for (const op of operations) {
            const before = balances(await ledger(world, member.accountId), world.clock.now);
            switch (op.kind) {
              case 'earn':
                expectApplied(
                  await push(world, 's1', [
                    { type: 'sale.completed', payload: pointsSale(member.customerId, op.paid, undefined) },
                  ]),
                );
                break;
              case 'credit':
                await adjustAccountPoints(world.hub, member.accountId, {
                  adjustmentId: randomUUID(),
                  points: op.points,
                  reason: 'Test',
                });
                break;
              case 'hold': {
                const holdId = randomUUID();
                const attempt = placeRedemptionHold(world.hub, world.devices.s1.device, {
                  kind: 'points',
                  accountId: member.accountId,
                  holdId,
                  points: op.points,
                });
                if (op.points > before.available) {
                  await expect(attempt).rejects.toMatchObject({ code: 'INSUFFICIENT_BALANCE' });
                  break;
                }
                await attempt;
                if (op.capture)
                  expectApplied(
                    await push(world, 's2', [
                      {
                        type: 'sale.completed',
                        payload: pointsSale(member.customerId, op.points, {
                          tenderId: holdId,
                          points: op.points,
                          accountId: member.accountId,
                        }),
                      },
                    ]),
                  );
                else
                  await releaseRedemptionHold(world.hub, world.devices.s1.device, { kind: 'points', holdId });
                break;
              }
              case 'offline':
                offlineUsed = true;
                expectApplied(
                  await push(world, 's2', [
                    {
                      type: 'sale.completed',
                      payload: pointsSale(member.customerId, op.points, {
                        tenderId: randomUUID(),
                        points: op.points,
                        accountId: member.accountId,
                      }),
                    },
                  ]),
                );
                break;
              case 'time':
                world.clock.now += op.days * DAY;
                await runLoyaltyPass(world.hub);
                break;
            }
            const entries = await ledger(world, member.accountId);
            const now = balances(entries, world.clock.now);
            const sum = entries
              .filter((entry) => STORED_VALUE_TYPES_IN_BALANCE.includes(entry.type))
              .reduce((total, entry) => total + entry.points, 0);
            expect(now.pending + now.available + now.held + now.expired).toBe(sum);
            expect(now.available).toBeGreaterThanOrEqual(-now.overdraft);
            if (!offlineUsed) expect(now.available).toBeGreaterThanOrEqual(0);
            if (now.overdraft > 0)
              expect(entries.some((entry) => entry.type === 'OFFLINE_OVERDRAFT')).toBe(true);
          }
        }),
        { numRuns: kind === 'postgres' ? 6 : 12 },
      );
    }, 120_000);
  });
});
