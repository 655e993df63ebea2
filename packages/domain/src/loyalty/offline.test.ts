import { describe, expect, it } from 'vitest';
import { errorOf } from '../test-support';
import { balances, loyaltySnapshot } from './ledger';
import { ACCOUNT, DAY, HOUR, T0, credited, earned, eur, programme } from './loyalty.fixtures';
import type { LoyaltyEntry } from './loyalty-entry';
import {
  OfflineRedemptionSchema,
  applyOfflineRedemption,
  assertOfflineRedemptionAllowed,
  offlineRedemptionAllowance,
  type OfflineRedemption,
} from './offline';
import { placeHold } from './redemption';

const at = T0 + 10 * DAY;
const snapshot = { accountId: ACCOUNT, available: 800, takenAt: at - 2 * HOUR };

function redemption(
  redemptionId: string,
  points: number,
  fields: Partial<OfflineRedemption> = {},
): OfflineRedemption {
  return {
    redemptionId,
    accountId: ACCOUNT,
    points,
    value: eur(points),
    occurredAt: at - HOUR,
    sourceDoc: `sale-${redemptionId}`,
    originNode: 'store-1',
    deviceId: 'till-1',
    ...fields,
  };
}

describe('offline', () => {
  describe('offlineRedemptionAllowance', () => {
    it('allows up to the per-transaction cap when the balance and the device have room', () => {
      const allowance = offlineRedemptionAllowance(snapshot, [], { ...programme }, at);
      expect(allowance).toMatchObject({ allowed: 800, limitedBy: 'balance', snapshotAgeMs: 2 * HOUR });
      const capped = offlineRedemptionAllowance({ ...snapshot, available: 5_000 }, [], programme, at);
      expect(capped).toMatchObject({ allowed: 1_000, limitedBy: 'transaction_cap' });
      expect(capped.reason).toBe('Up to 1,000 points can be used offline in one sale.');
    });

    it('deducts what this device already let the account spend since the snapshot, and nothing before it', () => {
      const uses = [
        { accountId: ACCOUNT, points: 300, occurredAt: snapshot.takenAt - 1 },
        { accountId: ACCOUNT, points: 200, occurredAt: snapshot.takenAt },
        { accountId: ACCOUNT, points: 100, occurredAt: at - 1 },
        { accountId: 'acct-2', points: 400, occurredAt: at - 1 },
      ];
      const allowance = offlineRedemptionAllowance(snapshot, uses, programme, at);
      expect(allowance).toMatchObject({ allowed: 500, limitedBy: 'balance', balanceLeft: 500 });
      expect(allowance.reason).toBe(
        'Up to 500 points can be used offline: the points balance last checked 2 hours ago, less 300 points already used on this till since.',
      );
    });

    it('gives nothing once the balance is used up and says why', () => {
      const uses = [{ accountId: ACCOUNT, points: 900, occurredAt: at - 1 }];
      const allowance = offlineRedemptionAllowance(snapshot, uses, programme, at);
      expect(allowance).toMatchObject({ allowed: 0, limitedBy: 'balance', balanceLeft: -100 });
      expect(allowance.reason).toBe(
        'Nothing is left to use offline: the points balance last checked 2 hours ago was 800 points, less 900 points already used on this till since; ask for another tender.',
      );
    });

    it('counts every customer against the device cap over the last 24 hours', () => {
      const uses = [
        { accountId: 'acct-2', points: 2_000, occurredAt: at - 23 * HOUR },
        { accountId: 'acct-3', points: 900, occurredAt: at - HOUR },
        { accountId: 'acct-4', points: 5_000, occurredAt: at - 25 * HOUR },
      ];
      const allowance = offlineRedemptionAllowance(snapshot, uses, programme, at);
      expect(allowance).toMatchObject({ allowed: 100, limitedBy: 'device_day_cap', deviceDayLeft: 100 });
      expect(allowance.reason).toBe(
        'This till can take 100 points more offline in the last 24 hours (limit 3,000 points).',
      );
      const full = offlineRedemptionAllowance(
        snapshot,
        [...uses, { accountId: 'x', points: 100, occurredAt: at }],
        programme,
        at,
      );
      expect(full.reason).toBe(
        'This till has reached its offline limit of 3,000 points for the last 24 hours; ask for another tender.',
      );
    });

    it('refuses a snapshot older than the maximum age whatever it says', () => {
      const stale = offlineRedemptionAllowance({ ...snapshot, takenAt: at - 3 * DAY }, [], programme, at);
      expect(stale).toMatchObject({ allowed: 0, limitedBy: 'snapshot_age' });
      expect(stale.reason).toBe('Points balance last checked 3 days ago; ask for another tender.');
    });

    it('treats a snapshot from a till clock that is behind as fresh', () => {
      expect(
        offlineRedemptionAllowance({ ...snapshot, takenAt: at + HOUR }, [], programme, at),
      ).toMatchObject({
        allowed: 800,
        snapshotAgeMs: 0,
      });
    });

    it('never counts pending points: they are not in the snapshot balance', () => {
      const entries = [earned('sale-1', 100_000, at - DAY)];
      const fresh = loyaltySnapshot(ACCOUNT, entries, at);
      expect(fresh.pending).toBe(1_000);
      expect(offlineRedemptionAllowance(fresh, [], programme, at).allowed).toBe(0);
    });

    it('says offline use is off when the per-transaction cap is zero', () => {
      const off = { ...programme, offline: { ...programme.offline, perTransactionCapPoints: 0 } };
      expect(offlineRedemptionAllowance(snapshot, [], off, at).reason).toBe(
        'Offline use is switched off for this tender; ask for another tender.',
      );
    });
  });

  describe('assertOfflineRedemptionAllowed', () => {
    it('lets through what the allowance covers', () => {
      const allowance = offlineRedemptionAllowance(snapshot, [], programme, at);
      expect(() => assertOfflineRedemptionAllowed(800, allowance)).not.toThrow();
    });

    it('refuses more with OFFLINE_LIMIT and the sentence the till shows', () => {
      const allowance = offlineRedemptionAllowance(snapshot, [], programme, at);
      const error = errorOf(() => assertOfflineRedemptionAllowed(801, allowance));
      expect(error.code).toBe('OFFLINE_LIMIT');
      expect(error.message).toBe(
        'Only 800 points can be used offline, not 801 points. Up to 800 points can be used offline: the points balance last checked 2 hours ago. Ask for another tender for the rest.',
      );
      const stale = offlineRedemptionAllowance({ ...snapshot, takenAt: at - 3 * DAY }, [], programme, at);
      expect(errorOf(() => assertOfflineRedemptionAllowed(1, stale)).message).toBe(
        'Points balance last checked 3 days ago; ask for another tender.',
      );
    });

    it('refuses a points count that is not a positive whole number', () => {
      const allowance = offlineRedemptionAllowance(snapshot, [], programme, at);
      expect(errorOf(() => assertOfflineRedemptionAllowed(0, allowance)).code).toBe('INVALID_INPUT');
    });
  });

  describe('applyOfflineRedemption', () => {
    const wallet: LoyaltyEntry[] = [credited('a', 300, T0, 100), credited('b', 500, T0, 20)];

    it('covers the redemption from available points, soonest-expiring first, without an overdraft', () => {
      const decision = applyOfflineRedemption(wallet, redemption('r1', 600), programme, at);
      expect(decision).toMatchObject({ coveredPoints: 600, overdraftPoints: 0 });
      expect(decision.entries).toEqual([
        {
          entryId: 'capture:r1',
          accountId: ACCOUNT,
          type: 'REDEEM_CAPTURE',
          points: -600,
          occurredAt: at - HOUR,
          sourceDoc: 'sale-r1',
          originNode: 'store-1',
          deviceId: 'till-1',
          holdId: 'r1',
          allocations: [
            { lotId: 'adjust:b', points: 500 },
            { lotId: 'adjust:a', points: 100 },
          ],
          value: eur(600),
          reason: 'Redeemed at a till without a hub connection.',
        },
      ]);
    });

    it('applies what the balance cannot cover and records it once as an overdraft', () => {
      const decision = applyOfflineRedemption(wallet, redemption('r1', 1_000), programme, at);
      expect(decision).toMatchObject({ coveredPoints: 800, overdraftPoints: 200 });
      expect(decision.entries[1]).toMatchObject({
        entryId: 'overdraft:capture:r1',
        type: 'OFFLINE_OVERDRAFT',
        points: -200,
        occurredAt: at,
        availableAt: at,
        expiresAt: at + 365 * DAY,
        holdId: 'r1',
        causedBy: 'capture:r1',
      });
      const after = [...wallet, ...decision.entries];
      expect(balances(after, at)).toMatchObject({ available: -200, overdraft: 200 });
      const replay = applyOfflineRedemption(after, redemption('r1', 1_000), programme, at + DAY);
      expect(replay).toEqual({ entries: [], coveredPoints: 800, overdraftPoints: 200 });
    });

    it('does not count held or pending points as cover', () => {
      const pending = earned('sale-p', 50_000, at - DAY);
      const held = placeHold(
        [...wallet, pending],
        { accountId: ACCOUNT, holdId: 'h1', points: 700 },
        programme,
        at,
      ).entries;
      const decision = applyOfflineRedemption(
        [...wallet, pending, ...held],
        redemption('r1', 300),
        programme,
        at,
      );
      expect(decision).toMatchObject({ coveredPoints: 100, overdraftPoints: 200 });
    });

    it('does not let points an earlier overdraft owes cover a new redemption', () => {
      const first = applyOfflineRedemption([], redemption('r1', 30), programme, at).entries;
      const bonus = credited('c', 100, at);
      const decision = applyOfflineRedemption([...first, bonus], redemption('r2', 80), programme, at);
      expect(decision).toMatchObject({ coveredPoints: 70, overdraftPoints: 10 });
      expect(balances([...first, bonus, ...decision.entries], at)).toMatchObject({
        available: -10,
        overdraft: 40,
      });
    });

    it('makes exactly one overdraft when two devices spend the same points, in either order', () => {
      const fromTillA = redemption('till-a-1', 600, { deviceId: 'till-a' });
      const fromTillB = redemption('till-b-1', 600, { deviceId: 'till-b', originNode: 'store-2' });
      for (const order of [
        [fromTillA, fromTillB],
        [fromTillB, fromTillA],
      ]) {
        const ledger = [...wallet];
        for (const item of order) ledger.push(...applyOfflineRedemption(ledger, item, programme, at).entries);
        expect(
          ledger.filter((entry) => entry.type === 'OFFLINE_OVERDRAFT').map((entry) => entry.points),
        ).toEqual([-400]);
        expect(balances(ledger, at)).toMatchObject({ available: -400, overdraft: 400 });
      }
    });

    it('refuses an id that belongs to an online hold', () => {
      const held = placeHold(wallet, { accountId: ACCOUNT, holdId: 'h1', points: 10 }, programme, at).entries;
      expect(
        errorOf(() => applyOfflineRedemption([...wallet, ...held], redemption('h1', 10), programme, at)).code,
      ).toBe('CONFLICT');
    });

    it('refuses nonsense: no points, negative value, a bad time', () => {
      expect(errorOf(() => applyOfflineRedemption(wallet, redemption('r', 0), programme, at)).code).toBe(
        'INVALID_INPUT',
      );
      expect(
        errorOf(() => applyOfflineRedemption(wallet, redemption('r', 5, { value: eur(-1) }), programme, at))
          .code,
      ).toBe('INVALID_INPUT');
      expect(
        errorOf(() => applyOfflineRedemption(wallet, redemption('r', 5), programme, Number.NaN)).code,
      ).toBe('INVALID_INPUT');
    });
  });

  describe('OfflineRedemptionSchema', () => {
    it('validates what a till keeps until the hub applies it', () => {
      expect(OfflineRedemptionSchema.safeParse(redemption('r1', 10)).success).toBe(true);
      expect(OfflineRedemptionSchema.safeParse(redemption('r1', 0)).success).toBe(false);
      expect(
        OfflineRedemptionSchema.safeParse({ ...redemption('r1', 1), value: { amount: 1, currency: 'XXX' } })
          .success,
      ).toBe(false);
    });
  });
});
