import { describe, expect, it } from 'vitest';
import { errorOf } from '../test-support';
import {
  activationsDue,
  balances,
  compareLotsFefo,
  expireDue,
  loyaltySnapshot,
  projectLoyaltyLedger,
} from './ledger';
import { ACCOUNT, DAY, T0, credited, earned, eur, programme } from './loyalty.fixtures';
import type { LoyaltyEntry } from './loyalty-entry';
import { applyOfflineRedemption } from './offline';
import { captureHold, placeHold } from './redemption';

const sale = earned('sale-1', 2_500, T0); // 25 points, usable from T0 + 30 days, expiring T0 + 365 days

function offlineSpend(
  entries: LoyaltyEntry[],
  redemptionId: string,
  points: number,
  at: number,
): LoyaltyEntry[] {
  return applyOfflineRedemption(
    entries,
    { redemptionId, accountId: ACCOUNT, points, value: eur(points), occurredAt: at - 1_000 },
    programme,
    at,
  ).entries;
}

describe('ledger', () => {
  describe('balances', () => {
    it('keeps earned points pending through the return window, then usable, then expired', () => {
      expect(balances([sale], T0)).toEqual({
        pending: 25,
        available: 0,
        held: 0,
        expired: 0,
        lifetime: 25,
        overdraft: 0,
      });
      expect(balances([sale], T0 + 30 * DAY - 1)).toMatchObject({ pending: 25, available: 0 });
      expect(balances([sale], T0 + 30 * DAY)).toMatchObject({ pending: 0, available: 25 });
      expect(balances([sale], T0 + 365 * DAY)).toMatchObject({
        pending: 0,
        available: 0,
        expired: 25,
        lifetime: 25,
      });
    });

    it('is zero for an account with no entries', () => {
      expect(balances([], T0)).toEqual({
        pending: 0,
        available: 0,
        held: 0,
        expired: 0,
        lifetime: 0,
        overdraft: 0,
      });
    });

    it('counts an entry id given twice once', () => {
      const bonus = credited('welcome', 100, T0);
      expect(balances([sale, bonus, sale, bonus], T0)).toEqual(balances([sale, bonus], T0));
    });

    it('does not depend on the order entries are given in', () => {
      const bonus = credited('welcome', 100, T0);
      const hold = placeHold(
        [sale, bonus],
        { accountId: ACCOUNT, holdId: 'h1', points: 60 },
        programme,
        T0,
      ).entries;
      const all = [sale, bonus, ...hold];
      expect(balances([...all].reverse(), T0)).toEqual(balances(all, T0));
      expect(balances(all, T0)).toMatchObject({ pending: 25, available: 40, held: 60 });
    });

    it('refuses entries of two accounts', () => {
      const error = errorOf(() => balances([sale, earned('sale-2', 1_000, T0, 'acct-2')], T0));
      expect(error.code).toBe('INVALID_INPUT');
      expect(error.message).toContain('belongs to account acct-2');
    });

    it('refuses a time that is not whole epoch milliseconds', () => {
      expect(errorOf(() => balances([sale], 1.5)).code).toBe('INVALID_INPUT');
    });
  });

  describe('projectLoyaltyLedger', () => {
    const bonus = credited('welcome', 100, T0);
    const conflictOf = (entries: LoyaltyEntry[]) => {
      const error = errorOf(() => projectLoyaltyLedger(entries, T0));
      expect(error.code).toBe('CONFLICT');
      return error.message;
    };

    it('reports an allocation to a lot that does not exist', () => {
      const spend: LoyaltyEntry = {
        entryId: 'adjust:fix',
        accountId: ACCOUNT,
        type: 'ADJUST',
        points: -10,
        occurredAt: T0,
        reason: 'Correction',
        allocations: [{ lotId: 'earn:nowhere', points: 10 }],
      };
      expect(conflictOf([bonus, spend])).toContain('refers to lot earn:nowhere');
    });

    it('reports a lot spent below zero', () => {
      const spend: LoyaltyEntry = {
        entryId: 'adjust:fix',
        accountId: ACCOUNT,
        type: 'ADJUST',
        points: -101,
        occurredAt: T0,
        reason: 'Correction',
        allocations: [{ lotId: bonus.entryId, points: 101 }],
      };
      expect(conflictOf([bonus, spend])).toContain('1 more points taken than it holds');
    });

    it('reports releases, refunds and overdrafts that point at nothing', () => {
      const release: LoyaltyEntry = {
        entryId: 'release:ghost',
        accountId: ACCOUNT,
        type: 'REDEEM_RELEASE',
        points: 5,
        occurredAt: T0,
        holdId: 'ghost',
        allocations: [{ lotId: bonus.entryId, points: -5 }],
      };
      expect(conflictOf([bonus, release])).toContain('names hold ghost');
      const refund: LoyaltyEntry = {
        entryId: 'refund:r1:ghost',
        accountId: ACCOUNT,
        type: 'REDEMPTION_REFUND',
        points: 0,
        occurredAt: T0,
        holdId: 'ghost',
        sourceDoc: 'r1',
        value: eur(0),
      };
      expect(conflictOf([bonus, refund])).toContain('never captured');
      const overdraft: LoyaltyEntry = {
        entryId: 'overdraft:x',
        accountId: ACCOUNT,
        type: 'OFFLINE_OVERDRAFT',
        points: -5,
        occurredAt: T0,
        availableAt: T0,
        causedBy: bonus.entryId,
      };
      expect(conflictOf([bonus, overdraft])).toContain('not caused by a capture or reversal');
    });

    it('reports a hold captured and released for more than it held, and a capture that moves points', () => {
      const hold = placeHold(
        [bonus],
        { accountId: ACCOUNT, holdId: 'h1', points: 10 },
        programme,
        T0,
      ).entries;
      const capture = captureHold([bonus, ...hold], { accountId: ACCOUNT, holdId: 'h1', value: eur(10) }, T0);
      const extraRelease: LoyaltyEntry = {
        entryId: 'release:h1-again',
        accountId: ACCOUNT,
        type: 'REDEEM_RELEASE',
        points: 10,
        occurredAt: T0,
        holdId: 'h1',
        allocations: [{ lotId: bonus.entryId, points: -10 }],
      };
      expect(conflictOf([bonus, ...hold, ...capture, extraRelease])).toContain(
        'captured and released for more',
      );
      const movingCapture = {
        ...capture[0],
        allocations: [{ lotId: bonus.entryId, points: 10 }],
      } as LoyaltyEntry;
      expect(conflictOf([bonus, ...hold, movingCapture])).toContain('moves points itself');
    });

    it('refuses reversals of one sale recorded in two currencies', () => {
      const reversal = (returnId: string, value: LoyaltyEntry['value']): LoyaltyEntry => ({
        entryId: `reversal:${returnId}`,
        accountId: ACCOUNT,
        type: 'EARN_REVERSAL',
        points: -1,
        occurredAt: T0,
        sourceDoc: returnId,
        lotId: sale.entryId,
        value,
        allocations: [{ lotId: sale.entryId, points: 1 }],
      });
      const error = errorOf(() =>
        projectLoyaltyLedger(
          [sale, reversal('r1', eur(100)), reversal('r2', { amount: 100, currency: 'USD' })],
          T0,
        ),
      );
      expect(error.code).toBe('CURRENCY_MISMATCH');
    });

    it('describes each lot with its status at the instant asked', () => {
      const view = projectLoyaltyLedger([sale, bonus], T0 + 31 * DAY);
      expect(view.lots.get(sale.entryId)).toMatchObject({ kind: 'earn', status: 'available', remaining: 25 });
      expect(view.lots.get(bonus.entryId)).toMatchObject({
        kind: 'adjustment',
        status: 'available',
        remaining: 100,
      });
    });
  });

  describe('expireDue', () => {
    it('records what expired, once', () => {
      const at = T0 + 400 * DAY;
      const due = expireDue([sale], at);
      expect(due).toEqual([
        expect.objectContaining({
          entryId: `expire:${sale.entryId}:1`,
          type: 'EXPIRE',
          points: -25,
          occurredAt: T0 + 365 * DAY,
          lotId: sale.entryId,
          allocations: [{ lotId: sale.entryId, points: 25 }],
        }),
      ]);
      expect(balances([sale, ...due], at)).toEqual(balances([sale], at));
      expect(expireDue([sale, ...due], at)).toEqual([]);
    });

    it('returns nothing for an empty ledger or before anything expires', () => {
      expect(expireDue([], T0)).toEqual([]);
      expect(expireDue([sale], T0 + 364 * DAY)).toEqual([]);
    });

    it('lets points reaching expiry settle an overdraft before the rest expires', () => {
      // 30 points spent offline with nothing in the account, then a 100-point credit that is never used.
      const debt = offlineSpend([], 'r1', 30, T0);
      const bonus = credited('goodwill', 100, T0 + DAY, 10);
      const ledger = [...debt, bonus];
      expect(balances(ledger, T0 + 2 * DAY)).toMatchObject({ available: 70, overdraft: 30 });
      const at = T0 + 20 * DAY;
      expect(balances(ledger, at)).toMatchObject({ available: 0, overdraft: 0, expired: 70 });
      const due = expireDue(ledger, at);
      expect(due).toHaveLength(1);
      expect(due[0]).toMatchObject({
        points: -70,
        allocations: [
          { lotId: bonus.entryId, points: 100 },
          { lotId: 'overdraft:capture:r1', points: -30 },
        ],
      });
      expect(balances([...ledger, ...due], at)).toEqual(balances(ledger, at));
    });

    it('does not let points that expired before a debt existed settle it', () => {
      const bonus = credited('goodwill', 100, T0, 10);
      const debt = offlineSpend([bonus], 'r1', 30, T0 + 20 * DAY);
      expect(debt.map((entry) => entry.type)).toEqual(['REDEEM_CAPTURE', 'OFFLINE_OVERDRAFT']);
      expect(balances([bonus, ...debt], T0 + 20 * DAY)).toMatchObject({
        available: -30,
        expired: 100,
        overdraft: 30,
      });
    });

    it('numbers a second expiry of the same lot after points were given back to it', () => {
      const bonus = credited('goodwill', 100, T0, 10);
      const hold = placeHold(
        [bonus],
        { accountId: ACCOUNT, holdId: 'h1', points: 40 },
        programme,
        T0,
      ).entries;
      const first = expireDue([bonus, ...hold], T0 + 11 * DAY);
      expect(first[0]).toMatchObject({ entryId: `expire:${bonus.entryId}:1`, points: -60 });
      const release: LoyaltyEntry = {
        entryId: 'release:h1',
        accountId: ACCOUNT,
        type: 'REDEEM_RELEASE',
        points: 40,
        occurredAt: T0 + 12 * DAY,
        holdId: 'h1',
        allocations: [{ lotId: bonus.entryId, points: -40 }],
      };
      const ledger = [bonus, ...hold, ...first, release];
      expect(balances(ledger, T0 + 12 * DAY)).toMatchObject({ available: 0, held: 0, expired: 100 });
      expect(expireDue(ledger, T0 + 12 * DAY)[0]).toMatchObject({
        entryId: `expire:${bonus.entryId}:2`,
        points: -40,
      });
    });
  });

  describe('activationsDue', () => {
    it('records the end of the return window once, without changing the balance', () => {
      const at = T0 + 31 * DAY;
      const due = activationsDue([sale], at);
      expect(due).toEqual([
        {
          entryId: `activate:${sale.entryId}`,
          accountId: ACCOUNT,
          type: 'EARN_ACTIVATE',
          points: 25,
          occurredAt: T0 + 30 * DAY,
          lotId: sale.entryId,
          sourceDoc: 'sale-1',
        },
      ]);
      expect(balances([sale, ...due], at)).toEqual(balances([sale], at));
      expect(activationsDue([sale, ...due], at)).toEqual([]);
    });

    it('has nothing to activate inside the window, for an empty ledger, or for a fully returned sale', () => {
      expect(activationsDue([sale], T0 + DAY)).toEqual([]);
      expect(activationsDue([], T0)).toEqual([]);
      const reversal: LoyaltyEntry = {
        entryId: 'reversal:ret-1:earn:sale-1',
        accountId: ACCOUNT,
        type: 'EARN_REVERSAL',
        points: -25,
        occurredAt: T0 + DAY,
        sourceDoc: 'ret-1',
        lotId: sale.entryId,
        value: eur(2_500),
        allocations: [{ lotId: sale.entryId, points: 25 }],
      };
      expect(activationsDue([sale, reversal], T0 + 31 * DAY)).toEqual([]);
    });

    it('lists activations in the order the windows ended', () => {
      const later = earned('sale-2', 1_000, T0 + DAY);
      const due = activationsDue([later, sale], T0 + 40 * DAY);
      expect(due.map((entry) => entry.lotId)).toEqual([sale.entryId, later.entryId]);
    });
  });

  describe('loyaltySnapshot', () => {
    it('carries the balances and the next points to expire', () => {
      const a = credited('a', 10, T0, 20);
      const b = credited('b', 15, T0, 20);
      const c = credited('c', 50, T0, 40);
      const snapshot = loyaltySnapshot(ACCOUNT, [a, b, c, sale], T0 + DAY);
      expect(snapshot).toMatchObject({
        accountId: ACCOUNT,
        takenAt: T0 + DAY,
        available: 75,
        pending: 25,
        nextExpiry: { at: T0 + 20 * DAY, points: 25 },
      });
    });

    it('has no next expiry when nothing will expire', () => {
      expect(loyaltySnapshot(ACCOUNT, [], T0)).not.toHaveProperty('nextExpiry');
    });
  });

  describe('compareLotsFefo', () => {
    it('puts the soonest expiry first, never-expiring last, then the oldest, then the id', () => {
      const lots = [
        { lotId: 'never', availableAt: 0, expiresAt: undefined },
        { lotId: 'late', availableAt: 0, expiresAt: 20 },
        { lotId: 'soon-b', availableAt: 5, expiresAt: 10 },
        { lotId: 'soon-a2', availableAt: 1, expiresAt: 10 },
        { lotId: 'soon-a1', availableAt: 1, expiresAt: 10 },
        { lotId: 'never-old', availableAt: -1, expiresAt: undefined },
      ];
      expect([...lots].sort(compareLotsFefo).map((lot) => lot.lotId)).toEqual([
        'soon-a1',
        'soon-a2',
        'soon-b',
        'late',
        'never-old',
        'never',
      ]);
    });
  });
});
