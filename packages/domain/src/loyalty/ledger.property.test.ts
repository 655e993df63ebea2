import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors';
import { earnForSale, reversalForReturn } from './earn';
import {
  activationsDue,
  balances,
  consumableLots,
  expireDue,
  projectLoyaltyLedger,
  type LoyaltyBalances,
} from './ledger';
import { ACCOUNT, DAY, T0, baseTier, credited, eur, programme } from './loyalty.fixtures';
import { LoyaltyEntrySchema, type LoyaltyEntry, type LoyaltyEntryType } from './loyalty-entry';
import { applyOfflineRedemption } from './offline';
import { negatePoints } from './schema-parts';
import {
  adjustPoints,
  captureHold,
  placeHold,
  redemptionRefundForReturn,
  releaseExpiredHolds,
  releaseHold,
} from './redemption';

/** Generous: the suite shares two cores with other work; these are bounded by run counts, not time. */
const PROPERTY_TIMEOUT_MS = 60_000;

type Op =
  | { kind: 'earn'; paid: number }
  | { kind: 'advance'; ms: number }
  | { kind: 'hold'; points: number }
  | { kind: 'capture'; pick: number; percent: number }
  | { kind: 'release'; pick: number }
  | { kind: 'timeout' }
  | { kind: 'offline'; points: number }
  | { kind: 'return'; pick: number; percent: number }
  | { kind: 'refund'; pick: number; percent: number }
  | { kind: 'adjust'; points: number }
  | { kind: 'expire' }
  | { kind: 'activate' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('earn' as const), paid: fc.integer({ min: 0, max: 150_000 }) }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('advance' as const),
      ms: fc.oneof(fc.integer({ min: 0, max: 10 * 60_000 }), fc.integer({ min: 0, max: 200 * DAY })),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('hold' as const), points: fc.integer({ min: 1, max: 900 }) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('capture' as const),
      pick: fc.nat(),
      percent: fc.integer({ min: 1, max: 100 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'timeout' as const }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('offline' as const),
      points: fc.integer({ min: 1, max: 1_500 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('return' as const),
      pick: fc.nat(),
      percent: fc.integer({ min: 1, max: 100 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('refund' as const),
      pick: fc.nat(),
      percent: fc.integer({ min: 1, max: 100 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('adjust' as const),
      points: fc.integer({ min: -600, max: 600 }).filter((points) => points !== 0),
    }),
  },
  { weight: 2, arbitrary: fc.constant({ kind: 'expire' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'activate' as const }) },
);

/** Types whose points change what the member has (pending + available + held + expired). */
const VALUE_TYPES: readonly LoyaltyEntryType[] = [
  'EARN_PENDING',
  'ADJUST',
  'REDEMPTION_REFUND',
  'EARN_REVERSAL',
  'OFFLINE_OVERDRAFT',
  'REDEEM_CAPTURE',
];

function sumPoints(entries: readonly LoyaltyEntry[], types: readonly LoyaltyEntryType[]): number {
  return entries
    .filter((entry) => types.includes(entry.type))
    .reduce((total, entry) => total + entry.points, 0);
}

/** What the member has, summed straight from the entries' points without lots or allocations. */
function referenceTotals(entries: readonly LoyaltyEntry[]): {
  total: number;
  held: number;
  lifetime: number;
} {
  const byId = new Map(entries.map((entry) => [entry.entryId, entry]));
  const holds = new Map<string, number>();
  for (const entry of entries) if (entry.type === 'REDEEM_HOLD') holds.set(entry.holdId ?? '', -entry.points);
  for (const entry of entries) {
    const holdId = entry.holdId ?? '';
    if (!holds.has(holdId)) continue;
    if (entry.type === 'REDEEM_CAPTURE') holds.set(holdId, (holds.get(holdId) ?? 0) + entry.points);
    if (entry.type === 'REDEEM_RELEASE') holds.set(holdId, (holds.get(holdId) ?? 0) - entry.points);
  }
  const reversalOverdrafts = entries.filter(
    (entry) => entry.type === 'OFFLINE_OVERDRAFT' && byId.get(entry.causedBy ?? '')?.type === 'EARN_REVERSAL',
  );
  return {
    total: sumPoints(entries, VALUE_TYPES),
    held: [...holds.values()].reduce((total, held) => total + held, 0),
    lifetime:
      sumPoints(entries, ['EARN_PENDING', 'ADJUST', 'EARN_REVERSAL']) +
      sumPoints(reversalOverdrafts, ['OFFLINE_OVERDRAFT']),
  };
}

function refusedWith(action: () => unknown, code: string): boolean {
  try {
    action();
    return false;
  } catch (error) {
    if (error instanceof DomainError && error.code === code) return true;
    throw error;
  }
}

interface SaleState {
  readonly saleId: string;
  readonly paid: number;
  refunded: number;
  returns: number;
}

interface RedemptionState {
  readonly holdId: string;
  readonly value: number;
  refunded: number;
  returns: number;
}

/** Every consuming allocation takes from usable lots only, soonest-expiring first, each lot emptied before the next. */
function expectFefo(
  entries: readonly LoyaltyEntry[],
  decided: readonly LoyaltyEntry[],
  at: number,
  skipLot?: string,
): void {
  const before = projectLoyaltyLedger(entries, at);
  const order = consumableLots(before, new Set(skipLot === undefined ? [] : [skipLot]));
  for (const entry of decided) {
    const taken = (entry.allocations ?? []).filter((allocation) => allocation.lotId !== skipLot);
    taken.forEach((allocation, index) => {
      const lot = order[index];
      expect(lot?.lotId).toBe(allocation.lotId);
      expect(lot?.status).toBe('available');
      if (index < taken.length - 1) expect(allocation.points).toBe(lot?.remaining);
      else expect(allocation.points).toBeLessThanOrEqual(lot?.remaining ?? 0);
    });
  }
}

function checkInvariants(entries: readonly LoyaltyEntry[], at: number): LoyaltyBalances {
  const current = balances(entries, at);
  const reference = referenceTotals(entries);
  // Conservation: everything credited less everything spent or reversed is pending, available, held or expired.
  expect(current.pending + current.available + current.held + current.expired).toBe(reference.total);
  expect(current.held).toBe(reference.held);
  expect(current.lifetime).toBe(reference.lifetime);
  expect(current.pending).toBeGreaterThanOrEqual(0);
  expect(current.held).toBeGreaterThanOrEqual(0);
  // Only an overdraft may make the balance negative, and never by more than it owes.
  expect(current.available).toBeGreaterThanOrEqual(-current.overdraft);
  if (!entries.some((entry) => entry.type === 'OFFLINE_OVERDRAFT')) {
    expect(current.available).toBeGreaterThanOrEqual(0);
    expect(current.overdraft).toBe(0);
  }
  // Recording what time did never changes a balance.
  const expiries = expireDue(entries, at);
  const activations = activationsDue(entries, at);
  const materialised = [...entries, ...activations, ...expiries];
  expect(balances(materialised, at)).toEqual(current);
  expect(current.expired).toBe(negatePoints(sumPoints(materialised, ['EXPIRE'])));
  // Pending and held points are never redeemable: one point more than available is always refused.
  expect(
    refusedWith(
      () =>
        placeHold(
          entries,
          { accountId: ACCOUNT, holdId: 'probe', points: Math.max(0, current.available) + 1 },
          programme,
          at,
        ),
      'INSUFFICIENT_BALANCE',
    ),
  ).toBe(true);
  return current;
}

interface Opening {
  readonly points: number;
  readonly expiresInDays: number;
}

const openingArb = fc.array(
  fc.record({ points: fc.integer({ min: 1, max: 800 }), expiresInDays: fc.integer({ min: 1, max: 200 }) }),
  { maxLength: 4 },
);
const opsArb = fc.array(opArb, { minLength: 8, maxLength: 40 });

function simulate(opening: readonly Opening[], ops: readonly Op[]): { entries: LoyaltyEntry[]; at: number } {
  const entries: LoyaltyEntry[] = opening.map((lot, index) =>
    credited(`opening-${index}`, lot.points, T0, lot.expiresInDays),
  );
  const sales: SaleState[] = [];
  const redemptions: RedemptionState[] = [];
  const openHolds: { holdId: string; points: number }[] = [];
  let at = T0;
  let sequence = 0;
  const append = (decided: readonly LoyaltyEntry[]) => {
    for (const entry of decided) expect(LoyaltyEntrySchema.safeParse(entry).success).toBe(true);
    entries.push(...decided);
  };

  for (const op of ops) {
    sequence += 1;
    const before = checkInvariants(entries, at);
    switch (op.kind) {
      case 'earn': {
        const saleId = `sale-${sequence}`;
        const decided = earnForSale(eur(op.paid), baseTier, programme, at, { accountId: ACCOUNT, saleId });
        append(decided);
        if (decided.length > 0) sales.push({ saleId, paid: op.paid, refunded: 0, returns: 0 });
        break;
      }
      case 'advance': {
        at += op.ms;
        const after = balances(entries, at);
        // Time alone never takes a balance below zero: expiring points settle debt before they vanish.
        if (before.available >= 0) expect(after.available).toBeGreaterThanOrEqual(0);
        break;
      }
      case 'hold': {
        const holdId = `hold-${sequence}`;
        const request = { accountId: ACCOUNT, holdId, points: op.points };
        if (before.available < op.points) {
          expect(refusedWith(() => placeHold(entries, request, programme, at), 'INSUFFICIENT_BALANCE')).toBe(
            true,
          );
          break;
        }
        const decision = placeHold(entries, request, programme, at);
        expectFefo(entries, decision.entries, at);
        append(decision.entries);
        expect(placeHold(entries, request, programme, at).entries).toEqual([]);
        expect(balances(entries, at).available).toBe(before.available - op.points);
        openHolds.push({ holdId, points: op.points });
        break;
      }
      case 'capture': {
        const hold = openHolds.splice(op.pick % Math.max(1, openHolds.length), 1)[0];
        if (hold === undefined) break;
        const status = projectLoyaltyLedger(entries, at).holds.get(hold.holdId)?.status;
        if (status !== 'open') break;
        const points = Math.max(1, Math.floor((hold.points * op.percent) / 100));
        const request = { accountId: ACCOUNT, holdId: hold.holdId, points, value: eur(points) };
        append(captureHold(entries, request, at));
        expect(captureHold(entries, request, at)).toEqual([]);
        expect(balances(entries, at).available).toBeGreaterThanOrEqual(before.available);
        redemptions.push({ holdId: hold.holdId, value: points, refunded: 0, returns: 0 });
        break;
      }
      case 'release': {
        const hold = openHolds.splice(op.pick % Math.max(1, openHolds.length), 1)[0];
        if (hold === undefined) break;
        const request = { accountId: ACCOUNT, holdId: hold.holdId, reason: 'Sale voided' };
        append(releaseHold(entries, request, at));
        expect(releaseHold(entries, request, at)).toEqual([]);
        expect(balances(entries, at).available).toBeGreaterThanOrEqual(before.available);
        break;
      }
      case 'timeout': {
        const released = releaseExpiredHolds(entries, at);
        append(released);
        expect(releaseExpiredHolds(entries, at)).toEqual([]);
        break;
      }
      case 'offline': {
        const redemption = {
          redemptionId: `offline-${sequence}`,
          accountId: ACCOUNT,
          points: op.points,
          value: eur(op.points),
          occurredAt: at,
        };
        const decision = applyOfflineRedemption(entries, redemption, programme, at);
        expectFefo(entries, decision.entries, at);
        append(decision.entries);
        expect(decision.coveredPoints + decision.overdraftPoints).toBe(op.points);
        expect(decision.entries.filter((entry) => entry.type === 'OFFLINE_OVERDRAFT')).toHaveLength(
          before.available >= op.points ? 0 : 1,
        );
        expect(applyOfflineRedemption(entries, redemption, programme, at).entries).toEqual([]);
        expect(balances(entries, at).available).toBe(before.available - op.points);
        redemptions.push({ holdId: redemption.redemptionId, value: op.points, refunded: 0, returns: 0 });
        break;
      }
      case 'return': {
        const open = sales.filter((sale) => sale.refunded < sale.paid);
        const sale = open[op.pick % Math.max(1, open.length)];
        if (sale === undefined) break;
        const refunded = Math.max(1, Math.ceil(((sale.paid - sale.refunded) * op.percent) / 100));
        const returnId = `ret-${sequence}`;
        const request = { accountId: ACCOUNT, returnId, saleId: sale.saleId, refundedValue: eur(refunded) };
        const decision = reversalForReturn(entries, request, programme, at);
        expectFefo(entries, decision.entries, at, `earn:${sale.saleId}`);
        append(decision.entries);
        expect(reversalForReturn(entries, request, programme, at).entries).toEqual([]);
        sale.refunded += refunded;
        sale.returns += 1;
        const earnedPoints = entries.find((entry) => entry.entryId === `earn:${sale.saleId}`)?.points ?? 0;
        const reversed = projectLoyaltyLedger(entries, at).reversals.get(`earn:${sale.saleId}`)?.points ?? 0;
        expect(reversed).toBe(Math.floor((earnedPoints * sale.refunded) / sale.paid));
        break;
      }
      case 'refund': {
        const open = redemptions.filter((redemption) => redemption.refunded < redemption.value);
        const redemption = open[op.pick % Math.max(1, open.length)];
        if (redemption === undefined) break;
        const refunded = Math.max(
          1,
          Math.ceil(((redemption.value - redemption.refunded) * op.percent) / 100),
        );
        const request = {
          accountId: ACCOUNT,
          returnId: `ret-${sequence}`,
          holdId: redemption.holdId,
          refundedValue: eur(refunded),
        };
        append(redemptionRefundForReturn(entries, request, at).entries);
        expect(redemptionRefundForReturn(entries, request, at).entries).toEqual([]);
        redemption.refunded += refunded;
        const view = projectLoyaltyLedger(entries, at).redemptions.get(redemption.holdId);
        expect(view?.refundedPoints).toBe(
          Math.floor(((view?.points ?? 0) * redemption.refunded) / redemption.value),
        );
        expect(balances(entries, at).available).toBeGreaterThanOrEqual(before.available);
        break;
      }
      case 'adjust': {
        const request = {
          accountId: ACCOUNT,
          adjustmentId: `adj-${sequence}`,
          points: op.points,
          reason: 'HQ correction',
        };
        if (op.points < 0 && before.available < -op.points) {
          expect(
            refusedWith(() => adjustPoints(entries, request, programme, at), 'INSUFFICIENT_BALANCE'),
          ).toBe(true);
          break;
        }
        const decided = adjustPoints(entries, request, programme, at);
        if (op.points < 0) expectFefo(entries, decided, at);
        append(decided);
        expect(adjustPoints(entries, request, programme, at)).toEqual([]);
        expect(balances(entries, at).available).toBe(before.available + op.points);
        break;
      }
      case 'expire':
        append(expireDue(entries, at));
        expect(expireDue(entries, at)).toEqual([]);
        break;
      case 'activate':
        append(activationsDue(entries, at));
        expect(activationsDue(entries, at)).toEqual([]);
        break;
    }
  }
  checkInvariants(entries, at);
  return { entries, at };
}

describe('ledger (properties)', () => {
  describe('balances', () => {
    it(
      'equals the fold of the entries and keeps every ledger invariant through any sequence of operations',
      () => {
        fc.assert(
          fc.property(openingArb, opsArb, (opening, ops) => {
            simulate(opening, ops);
          }),
          { numRuns: 80 },
        );
      },
      PROPERTY_TIMEOUT_MS,
    );

    it(
      'does not change when entries are replayed or given in another order',
      () => {
        fc.assert(
          fc.property(
            openingArb,
            opsArb,
            fc.array(fc.nat(), { maxLength: 10 }),
            fc.integer({ min: 0, max: 400 * DAY }),
            (opening, ops, replays, later) => {
              const { entries, at } = simulate(opening, ops);
              const expected = balances(entries, at + later);
              const replayed = [
                ...entries,
                ...replays.map((index) => entries[index % Math.max(1, entries.length)]),
              ].filter((entry): entry is LoyaltyEntry => entry !== undefined);
              expect(balances(replayed, at + later)).toEqual(expected);
              expect(balances([...replayed].reverse(), at + later)).toEqual(expected);
            },
          ),
          { numRuns: 40 },
        );
      },
      PROPERTY_TIMEOUT_MS,
    );
  });

  describe('applyOfflineRedemption', () => {
    const lotsArb = fc.array(
      fc.record({
        points: fc.integer({ min: 1, max: 400 }),
        expiresInDays: fc.integer({ min: 1, max: 400 }),
      }),
      { minLength: 0, maxLength: 5 },
    );

    it(
      'makes exactly one overdraft when two devices spend the same points, whatever order they sync in',
      () => {
        fc.assert(
          fc.property(
            lotsArb,
            fc.integer({ min: 1, max: 1_000 }),
            fc.integer({ min: 1, max: 1_000 }),
            (lots, first, second) => {
              const at = T0 + DAY;
              const wallet = lots.map((lot, index) =>
                credited(`lot-${index}`, lot.points, T0, lot.expiresInDays),
              );
              const available = balances(wallet, at).available;
              fc.pre(available > 0);
              // Each till allowed its redemption against the same snapshot, so each fits the balance alone.
              const spendA = Math.min(first, available);
              const spendB = Math.min(second, available);
              const redemptionA = {
                redemptionId: 'till-a',
                accountId: ACCOUNT,
                points: spendA,
                value: eur(spendA),
                occurredAt: at,
              };
              const redemptionB = {
                redemptionId: 'till-b',
                accountId: ACCOUNT,
                points: spendB,
                value: eur(spendB),
                occurredAt: at,
              };
              const outcomes = [
                [redemptionA, redemptionB],
                [redemptionB, redemptionA],
              ].map((order) => {
                const ledger = [...wallet];
                for (const redemption of order) {
                  ledger.push(...applyOfflineRedemption(ledger, redemption, programme, at + 1).entries);
                }
                for (const redemption of order) {
                  expect(applyOfflineRedemption(ledger, redemption, programme, at + 2).entries).toEqual([]);
                }
                const overdrafts = ledger.filter((entry) => entry.type === 'OFFLINE_OVERDRAFT');
                return { overdrafts, balance: balances(ledger, at + 2) };
              });
              const deficit = spendA + spendB - available;
              for (const outcome of outcomes) {
                expect(outcome.overdrafts).toHaveLength(deficit > 0 ? 1 : 0);
                expect(
                  negatePoints(outcome.overdrafts.reduce((total, entry) => total + entry.points, 0)),
                ).toBe(Math.max(0, deficit));
                expect(outcome.balance.available).toBe(available - spendA - spendB);
                expect(outcome.balance.overdraft).toBe(Math.max(0, deficit));
              }
              expect(outcomes[0]?.balance).toEqual(outcomes[1]?.balance);
            },
          ),
          { numRuns: 300 },
        );
      },
      PROPERTY_TIMEOUT_MS,
    );
  });

  describe('reversalForReturn', () => {
    it(
      'never reverses more than was earned and reverses exactly that once everything is returned',
      () => {
        fc.assert(
          fc.property(
            fc.integer({ min: 1, max: 5_000_000 }),
            fc.array(fc.integer({ min: 1, max: 1_000 }), { minLength: 1, maxLength: 8 }),
            fc.boolean(),
            fc.integer({ min: 0, max: 60 * DAY }),
            (paid, weights, returnEverything, returnDelay) => {
              const decided = earnForSale(eur(paid), baseTier, programme, T0, {
                accountId: ACCOUNT,
                saleId: 'S',
              });
              const earnedPoints = decided[0]?.points ?? 0;
              fc.pre(earnedPoints > 0);
              // Split either the whole paid amount or part of it into partial returns.
              const weightSum = weights.reduce((total, weight) => total + weight, 0);
              const returned = returnEverything ? paid : Math.floor(paid / 2);
              let allocated = 0;
              const parts = weights.map((weight, index) => {
                const part =
                  index === weights.length - 1
                    ? returned - allocated
                    : Math.floor((returned * weight) / weightSum);
                allocated += part;
                return part;
              });
              const ledger = [...decided];
              let reversedTotal = 0;
              let refundedSoFar = 0;
              parts.forEach((part, index) => {
                if (part === 0) return;
                refundedSoFar += part;
                const decision = reversalForReturn(
                  ledger,
                  { accountId: ACCOUNT, returnId: `R${index}`, saleId: 'S', refundedValue: eur(part) },
                  programme,
                  T0 + returnDelay,
                );
                ledger.push(...decision.entries);
                expect(decision.pointsReversed).toBeGreaterThanOrEqual(0);
                reversedTotal += decision.pointsReversed;
                expect(reversedTotal).toBeLessThanOrEqual(earnedPoints);
                expect(reversedTotal).toBe(Math.floor((earnedPoints * refundedSoFar) / paid));
              });
              if (returnEverything) expect(reversedTotal).toBe(earnedPoints);
              expect(balances(ledger, T0 + returnDelay).lifetime).toBe(earnedPoints - reversedTotal);
            },
          ),
          { numRuns: 300 },
        );
      },
      PROPERTY_TIMEOUT_MS,
    );
  });

  describe('redemptionRefundForReturn', () => {
    it(
      'never gives back more points than were spent and gives back all of them once fully refunded',
      () => {
        fc.assert(
          fc.property(
            fc.integer({ min: 1, max: 5_000 }),
            fc.integer({ min: 0, max: 100_000 }),
            fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 6 }),
            (points, value, weights) => {
              const at = T0 + DAY;
              const wallet = [credited('w', 5_000, T0)];
              const held = placeHold(
                wallet,
                { accountId: ACCOUNT, holdId: 'h', points },
                programme,
                at,
              ).entries;
              const captured = captureHold(
                [...wallet, ...held],
                { accountId: ACCOUNT, holdId: 'h', value: eur(value) },
                at,
              );
              const ledger = [...wallet, ...held, ...captured];
              const weightSum = weights.reduce((total, weight) => total + weight, 0);
              let allocated = 0;
              let given = 0;
              weights.forEach((weight, index) => {
                const part =
                  index === weights.length - 1 ? value - allocated : Math.floor((value * weight) / weightSum);
                allocated += part;
                const decision = redemptionRefundForReturn(
                  ledger,
                  { accountId: ACCOUNT, returnId: `R${index}`, holdId: 'h', refundedValue: eur(part) },
                  at,
                );
                ledger.push(...decision.entries);
                given += decision.pointsRefunded;
                expect(given).toBeLessThanOrEqual(points);
              });
              expect(given).toBe(points);
              expect(balances(ledger, at).available).toBe(5_000);
            },
          ),
          { numRuns: 200 },
        );
      },
      PROPERTY_TIMEOUT_MS,
    );
  });
});
