import { describe, expect, it } from 'vitest';
import { money } from '../money';
import { errorOf } from '../test-support';
import { earnForSale, reversalForReturn } from './earn';
import { balances } from './ledger';
import { ACCOUNT, DAY, T0, baseTier, credited, earned, eur, goldTier, programme } from './loyalty.fixtures';
import type { LoyaltyEntry } from './loyalty-entry';
import { placeHold, captureHold } from './redemption';

const sale = earned('sale-1', 10_000, T0); // 100 points on 100.00

function returnOf(
  entries: LoyaltyEntry[],
  returnId: string,
  refundedMinor: number,
  at: number,
  saleId = 'sale-1',
) {
  return reversalForReturn(
    entries,
    {
      accountId: ACCOUNT,
      returnId,
      saleId,
      refundedValue: eur(refundedMinor),
      originNode: 'store-2',
      deviceId: 'till-3',
    },
    programme,
    at,
  );
}

describe('earn', () => {
  describe('earnForSale', () => {
    it('earns pending points until the return window ends, expiring a year after the sale', () => {
      const [entry] = earnForSale(eur(1_999), goldTier, programme, T0, {
        accountId: ACCOUNT,
        saleId: 'S-1',
        originNode: 'store-1',
        deviceId: 'till-1',
      });
      expect(entry).toEqual({
        entryId: 'earn:S-1',
        accountId: ACCOUNT,
        type: 'EARN_PENDING',
        points: 29,
        occurredAt: T0,
        sourceDoc: 'S-1',
        originNode: 'store-1',
        deviceId: 'till-1',
        availableAt: T0 + 30 * DAY,
        expiresAt: T0 + 365 * DAY,
        value: eur(1_999),
      });
    });

    it('makes no entry when the sale earns nothing', () => {
      expect(earnForSale(eur(99), baseTier, programme, T0, { accountId: ACCOUNT, saleId: 'S-2' })).toEqual(
        [],
      );
    });

    it('leaves points without expiry when the programme never expires them', () => {
      const forever = { ...programme, pointsExpiryDays: null };
      const [entry] = earnForSale(eur(500), baseTier, forever, T0, { accountId: ACCOUNT, saleId: 'S-3' });
      expect(entry).not.toHaveProperty('expiresAt');
    });

    it('refuses another currency and a bad time', () => {
      const ref = { accountId: ACCOUNT, saleId: 'S-4' };
      expect(errorOf(() => earnForSale(money(500, 'USD'), baseTier, programme, T0, ref)).code).toBe(
        'CURRENCY_MISMATCH',
      );
      expect(errorOf(() => earnForSale(eur(500), baseTier, programme, -1, ref)).code).toBe('INVALID_INPUT');
    });
  });

  describe('reversalForReturn', () => {
    it('takes back pending points in proportion to the refunded value', () => {
      const decision = returnOf([sale], 'ret-1', 2_550, T0 + DAY);
      expect(decision.pointsReversed).toBe(25);
      expect(decision.uncoveredPoints).toBe(0);
      expect(decision.entries).toEqual([
        {
          entryId: 'reversal:ret-1:earn:sale-1',
          accountId: ACCOUNT,
          type: 'EARN_REVERSAL',
          points: -25,
          occurredAt: T0 + DAY,
          sourceDoc: 'ret-1',
          originNode: 'store-2',
          deviceId: 'till-3',
          lotId: 'earn:sale-1',
          allocations: [{ lotId: 'earn:sale-1', points: 25 }],
          value: eur(2_550),
          reason: 'Return ret-1 refunded €25.50 of sale sale-1.',
        },
      ]);
      expect(balances([sale, ...decision.entries], T0 + DAY)).toMatchObject({ pending: 75, lifetime: 75 });
    });

    it('rounds partial returns down and reverses exactly the rest on the last one', () => {
      const threeWay = earned('sale-1', 1_000, T0); // 10 points on 10.00, returned in thirds
      const ledger: LoyaltyEntry[] = [threeWay];
      const reversed = [333, 333, 334].map((refund, index) => {
        const decision = returnOf(ledger, `ret-${index}`, refund, T0 + DAY);
        ledger.push(...decision.entries);
        return decision.pointsReversed;
      });
      expect(reversed).toEqual([3, 3, 4]);
      expect(balances(ledger, T0 + DAY)).toMatchObject({ pending: 0, lifetime: 0 });
    });

    it('is idempotent: the same return reverses once', () => {
      const first = returnOf([sale], 'ret-1', 5_000, T0 + DAY);
      const again = returnOf([sale, ...first.entries], 'ret-1', 5_000, T0 + DAY);
      expect(again).toEqual({ entries: [], pointsReversed: 50, uncoveredPoints: 0 });
    });

    it('takes points already spent from other usable points, soonest-expiring first', () => {
      const at = T0 + 40 * DAY;
      const soon = credited('soon', 30, T0, 60);
      const late = credited('late', 500, T0, 400);
      const hold = placeHold(
        [sale, soon, late],
        { accountId: ACCOUNT, holdId: 'h1', points: 100 },
        programme,
        at,
      );
      // FEFO spends `soon` (30) and 70 of the sale's own lot (expiring after `soon`, before `late`).
      const capture = captureHold(
        [sale, soon, late, ...hold.entries],
        { accountId: ACCOUNT, holdId: 'h1', value: eur(100) },
        at,
      );
      const ledger = [sale, soon, late, ...hold.entries, ...capture];
      const decision = returnOf(ledger, 'ret-1', 10_000, at);
      expect(decision.entries[0]?.allocations).toEqual([
        { lotId: 'earn:sale-1', points: 30 },
        { lotId: 'adjust:late', points: 70 },
      ]);
      expect(balances([...ledger, ...decision.entries], at)).toMatchObject({ available: 430, overdraft: 0 });
    });

    it('records what nothing covers as one overdraft that later points settle', () => {
      const at = T0 + 40 * DAY;
      const hold = placeHold([sale], { accountId: ACCOUNT, holdId: 'h1', points: 100 }, programme, at);
      const capture = captureHold(
        [sale, ...hold.entries],
        { accountId: ACCOUNT, holdId: 'h1', value: eur(100) },
        at,
      );
      const ledger = [sale, ...hold.entries, ...capture];
      const decision = returnOf(ledger, 'ret-1', 6_000, at);
      expect(decision).toMatchObject({ pointsReversed: 60, uncoveredPoints: 60 });
      expect(decision.entries.map((entry) => [entry.type, entry.points])).toEqual([
        ['EARN_REVERSAL', 0],
        ['OFFLINE_OVERDRAFT', -60],
      ]);
      expect(decision.entries[1]).toMatchObject({ causedBy: decision.entries[0]?.entryId, availableAt: at });
      const after = [...ledger, ...decision.entries];
      expect(balances(after, at)).toMatchObject({ available: -60, overdraft: 60, lifetime: 40 });
      const replay = returnOf(after, 'ret-1', 6_000, at);
      expect(replay).toEqual({ entries: [], pointsReversed: 60, uncoveredPoints: 60 });
      // The next sale's points net the debt once usable.
      const next = earned('sale-2', 10_000, at);
      expect(balances([...after, next], at + 31 * DAY)).toMatchObject({ available: 40, overdraft: 60 });
    });

    it('does not take from the sale lot once it has expired', () => {
      const at = T0 + 400 * DAY;
      const other = credited('other', 50, at - DAY);
      const decision = returnOf([sale, other], 'ret-late', 1_000, at);
      expect(decision.entries[0]?.allocations).toEqual([{ lotId: 'adjust:other', points: 10 }]);
    });

    it('refuses to reverse more than the sale earned on, naming what is left', () => {
      const first = returnOf([sale], 'ret-1', 9_000, T0 + DAY);
      const error = errorOf(() => returnOf([sale, ...first.entries], 'ret-2', 1_001, T0 + DAY));
      expect(error.code).toBe('LIMIT_EXCEEDED');
      expect(error.message).toContain('€90.00 already returned');
    });

    it('says when the sale earned no points on the account', () => {
      const error = errorOf(() => returnOf([sale], 'ret-1', 100, T0, 'sale-unknown'));
      expect(error.code).toBe('NOT_FOUND');
      expect(error.message).toBe(
        'Sale sale-unknown earned no points on this account, so the return takes none back.',
      );
    });

    it('refuses a refund in another currency or a negative one', () => {
      const request = (refundedValue: ReturnType<typeof eur>) =>
        reversalForReturn(
          [sale],
          { accountId: ACCOUNT, returnId: 'r', saleId: 'sale-1', refundedValue },
          programme,
          T0,
        );
      expect(errorOf(() => request(money(100, 'USD'))).code).toBe('CURRENCY_MISMATCH');
      expect(errorOf(() => request(eur(-1))).code).toBe('INVALID_INPUT');
    });
  });
});
