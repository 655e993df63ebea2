import { describe, expect, it } from 'vitest';
import { money } from '../money';
import { errorOf } from '../test-support';
import { DAY, HOUR, T0, eur } from './loyalty.fixtures';
import {
  OfflineStoredValueRedemptionSchema,
  StoredValueAccountSchema,
  StoredValueSnapshotSchema,
  adjustStoredValue,
  applyOfflineStoredValueRedemption,
  assertStoredValueOfflineAllowed,
  captureStoredValueHold,
  issueStoredValue,
  parseStoredValueEntry,
  parseStoredValueSettings,
  placeStoredValueHold,
  refundStoredValue,
  releaseExpiredStoredValueHolds,
  releaseStoredValueHold,
  storedValueBalances,
  storedValueOfflineAllowance,
  storedValueSnapshot,
  type StoredValueAccount,
  type StoredValueEntry,
  type StoredValueSettings,
} from './stored-value';

const credit: StoredValueAccount = {
  accountId: 'sc-1',
  kind: 'store_credit',
  currency: 'EUR',
  customerId: 'cust-ada',
  status: 'active',
  issuedAt: T0,
  issuedAtNode: 'store-a',
};
const giftCard: StoredValueAccount = {
  accountId: 'gc-1',
  kind: 'gift_card',
  currency: 'EUR',
  maskedNumber: '****1234',
  status: 'active',
  issuedAt: T0,
};
const settings: StoredValueSettings = {
  currency: 'EUR',
  holdTtlMs: 5 * 60_000,
  offline: { maxSnapshotAgeMs: DAY, perTransactionCap: eur(2_000), perDeviceDayCap: eur(10_000) },
};
const at = T0 + DAY;

/** Store credit of 50.00 issued by a no-receipt return at store A. */
const issued = issueStoredValue(
  credit,
  [],
  {
    issueId: 'ret-77',
    amount: eur(5_000),
    sourceDoc: 'ret-77',
    originNode: 'store-a',
    reason: 'No-receipt return',
  },
  T0,
);

function holdOn(account: StoredValueAccount, entries: StoredValueEntry[], holdId: string, amount: number) {
  return placeStoredValueHold(
    account,
    entries,
    { holdId, amount: eur(amount), sourceDoc: 'sale-9', originNode: 'store-b', deviceId: 'till-b' },
    settings,
    at,
  ).entries;
}

describe('stored-value', () => {
  describe('issueStoredValue', () => {
    it('puts value on the account once per issue id', () => {
      expect(issued).toEqual([
        {
          entryId: 'issue:ret-77',
          accountId: 'sc-1',
          occurredAt: T0,
          sourceDoc: 'ret-77',
          originNode: 'store-a',
          type: 'ISSUE',
          amount: eur(5_000),
          reason: 'No-receipt return',
        },
      ]);
      expect(issueStoredValue(credit, issued, { issueId: 'ret-77', amount: eur(5_000) }, T0)).toEqual([]);
      expect(
        errorOf(() => issueStoredValue(credit, issued, { issueId: 'ret-77', amount: eur(1) }, T0)).code,
      ).toBe('CONFLICT');
    });

    it('refuses zero, negative and foreign amounts', () => {
      expect(errorOf(() => issueStoredValue(credit, [], { issueId: 'x', amount: eur(0) }, T0)).code).toBe(
        'INVALID_INPUT',
      );
      expect(
        errorOf(() => issueStoredValue(credit, [], { issueId: 'x', amount: money(5, 'USD') }, T0)).code,
      ).toBe('CURRENCY_MISMATCH');
    });
  });

  describe('storedValueBalances', () => {
    it('derives available, held, issued, redeemed and overdraft from the entries', () => {
      const held = holdOn(credit, issued, 'h1', 1_200);
      expect(storedValueBalances(credit, [...issued, ...held])).toEqual({
        available: eur(3_800),
        held: eur(1_200),
        issued: eur(5_000),
        redeemed: eur(0),
        overdraft: eur(0),
      });
    });

    it('ignores a replayed entry and the order of entries', () => {
      const held = holdOn(credit, issued, 'h1', 1_200);
      const captured = captureStoredValueHold(credit, [...issued, ...held], { holdId: 'h1' }, at);
      const all = [...issued, ...held, ...captured];
      expect(storedValueBalances(credit, [...all, ...all].reverse())).toEqual(
        storedValueBalances(credit, all),
      );
    });

    it('refuses entries of another account or currency', () => {
      expect(errorOf(() => storedValueBalances(giftCard, issued)).code).toBe('INVALID_INPUT');
      const foreign = { ...issued[0], amount: money(5, 'USD') } as StoredValueEntry;
      expect(errorOf(() => storedValueBalances(credit, [foreign])).code).toBe('CURRENCY_MISMATCH');
    });

    it('reports a ledger that contradicts itself', () => {
      const base = { accountId: 'sc-1', occurredAt: at };
      const releaseOfNothing: StoredValueEntry = {
        ...base,
        entryId: 'r',
        type: 'RELEASE',
        amount: eur(1),
        holdId: 'x',
      };
      const refundOfNothing: StoredValueEntry = {
        ...base,
        entryId: 'f',
        type: 'REFUND',
        amount: eur(1),
        holdId: 'x',
      };
      const orphanOverdraft: StoredValueEntry = {
        ...base,
        entryId: 'o',
        type: 'OFFLINE_OVERDRAFT',
        amount: eur(-1),
        holdId: 'x',
        causedBy: 'issue:ret-77',
      };
      for (const bad of [releaseOfNothing, refundOfNothing, orphanOverdraft]) {
        expect(errorOf(() => storedValueBalances(credit, [...issued, bad])).code).toBe('CONFLICT');
      }
      const held = holdOn(credit, issued, 'h1', 1_000);
      const captured = captureStoredValueHold(credit, [...issued, ...held], { holdId: 'h1' }, at);
      const overRefund: StoredValueEntry = {
        ...base,
        entryId: 'f2',
        type: 'REFUND',
        amount: eur(1_001),
        holdId: 'h1',
      };
      expect(
        errorOf(() => storedValueBalances(credit, [...issued, ...held, ...captured, overRefund])).message,
      ).toContain('refunded more than it spent');
      const doubleRelease: StoredValueEntry = {
        ...base,
        entryId: 'r2',
        type: 'RELEASE',
        amount: eur(1),
        holdId: 'h1',
      };
      expect(
        errorOf(() => storedValueBalances(credit, [...issued, ...held, ...captured, doubleRelease])).message,
      ).toContain('captured and released for more');
    });
  });

  describe('placeStoredValueHold', () => {
    it('holds store credit issued at one store for a sale at another', () => {
      const entries = holdOn(credit, issued, 'h1', 5_000);
      expect(entries).toEqual([
        {
          entryId: 'hold:h1',
          accountId: 'sc-1',
          occurredAt: at,
          sourceDoc: 'sale-9',
          originNode: 'store-b',
          deviceId: 'till-b',
          type: 'HOLD',
          amount: eur(-5_000),
          holdId: 'h1',
          expiresAt: at + settings.holdTtlMs,
        },
      ]);
    });

    it('refuses more than is available with a sentence for the cashier', () => {
      const topped = issueStoredValue(giftCard, [], { issueId: 'sold-1', amount: eur(1_200) }, T0);
      const held = holdOn(giftCard, topped, 'h1', 200);
      const error = errorOf(() => holdOn(giftCard, [...topped, ...held], 'h2', 1_500));
      expect(error.code).toBe('INSUFFICIENT_BALANCE');
      expect(error.message).toBe(
        'Gift card ****1234 has €10.00 available; €15.00 cannot be held. €2.00 is held for a sale in progress.',
      );
    });

    it('is idempotent, refuses a reused id and a blocked account', () => {
      const held = holdOn(credit, issued, 'h1', 100);
      expect(holdOn(credit, [...issued, ...held], 'h1', 100)).toEqual([]);
      expect(errorOf(() => holdOn(credit, [...issued, ...held], 'h1', 101)).code).toBe('CONFLICT');
      const offline = applyOfflineStoredValueRedemption(
        credit,
        issued,
        { redemptionId: 'r1', accountId: 'sc-1', amount: eur(5), occurredAt: at },
        at,
      );
      expect(errorOf(() => holdOn(credit, [...issued, ...offline.entries], 'r1', 5)).code).toBe('CONFLICT');
      const error = errorOf(() => holdOn({ ...credit, status: 'blocked' }, issued, 'h9', 1));
      expect(error.code).toBe('NOT_ALLOWED');
      expect(error.message).toBe('Store credit is blocked; ask HQ before using it.');
    });
  });

  describe('captureStoredValueHold', () => {
    const held = holdOn(credit, issued, 'h1', 2_000);
    const ledger = [...issued, ...held];

    it('spends the hold and releases what the sale did not use', () => {
      const entries = captureStoredValueHold(credit, ledger, { holdId: 'h1', amount: eur(1_500) }, at);
      expect(entries.map((entry) => [entry.type, entry.amount.amount])).toEqual([
        ['CAPTURE', -1_500],
        ['RELEASE', 500],
      ]);
      expect(storedValueBalances(credit, [...ledger, ...entries])).toMatchObject({
        available: eur(3_500),
        held: eur(0),
        redeemed: eur(1_500),
      });
    });

    it('is idempotent and refuses contradictions', () => {
      const entries = captureStoredValueHold(credit, ledger, { holdId: 'h1' }, at);
      const after = [...ledger, ...entries];
      expect(captureStoredValueHold(credit, after, { holdId: 'h1' }, at)).toEqual([]);
      expect(
        errorOf(() => captureStoredValueHold(credit, after, { holdId: 'h1', amount: eur(1) }, at)).code,
      ).toBe('CONFLICT');
      expect(
        errorOf(() => captureStoredValueHold(credit, ledger, { holdId: 'h1', amount: eur(2_001) }, at)).code,
      ).toBe('LIMIT_EXCEEDED');
      expect(errorOf(() => captureStoredValueHold(credit, ledger, { holdId: 'nope' }, at)).code).toBe(
        'NOT_FOUND',
      );
      const released = releaseStoredValueHold(credit, ledger, { holdId: 'h1', reason: 'void' }, at);
      expect(
        errorOf(() => captureStoredValueHold(credit, [...ledger, ...released], { holdId: 'h1' }, at)).message,
      ).toContain('offline redemption');
    });
  });

  describe('releaseStoredValueHold', () => {
    const held = holdOn(credit, issued, 'h1', 2_000);
    const ledger = [...issued, ...held];

    it('gives the hold back once', () => {
      const entries = releaseStoredValueHold(credit, ledger, { holdId: 'h1', reason: ' Sale voided ' }, at);
      expect(entries[0]).toMatchObject({ type: 'RELEASE', amount: eur(2_000), reason: 'Sale voided' });
      expect(storedValueBalances(credit, [...ledger, ...entries]).available).toEqual(eur(5_000));
      expect(
        releaseStoredValueHold(credit, [...ledger, ...entries], { holdId: 'h1', reason: 'x' }, at),
      ).toEqual([]);
    });

    it('refuses a captured hold and a missing reason', () => {
      const captured = captureStoredValueHold(credit, ledger, { holdId: 'h1' }, at);
      expect(
        errorOf(() =>
          releaseStoredValueHold(credit, [...ledger, ...captured], { holdId: 'h1', reason: 'x' }, at),
        ).code,
      ).toBe('CONFLICT');
      expect(
        errorOf(() => releaseStoredValueHold(credit, ledger, { holdId: 'h1', reason: '' }, at)).code,
      ).toBe('INVALID_INPUT');
    });
  });

  describe('releaseExpiredStoredValueHolds', () => {
    it('releases open holds whose time ran out', () => {
      const held = holdOn(credit, issued, 'h1', 100);
      const ledger = [...issued, ...held];
      expect(releaseExpiredStoredValueHolds(credit, ledger, at + settings.holdTtlMs - 1)).toEqual([]);
      const due = releaseExpiredStoredValueHolds(credit, ledger, at + settings.holdTtlMs);
      expect(due).toEqual([
        expect.objectContaining({ entryId: 'release:h1', type: 'RELEASE', amount: eur(100) }),
      ]);
      expect(releaseExpiredStoredValueHolds(credit, [...ledger, ...due], at + DAY)).toEqual([]);
    });
  });

  describe('refundStoredValue', () => {
    const held = holdOn(credit, issued, 'h1', 2_000);
    const captured = captureStoredValueHold(credit, [...issued, ...held], { holdId: 'h1' }, at);
    const ledger = [...issued, ...held, ...captured];

    it('gives back up to what the redemption spent, over several refunds', () => {
      const first = refundStoredValue(
        credit,
        ledger,
        { refundId: 'ret-1', holdId: 'h1', amount: eur(1_500), sourceDoc: 'ret-1' },
        at,
      );
      const after = [...ledger, ...first];
      expect(storedValueBalances(credit, after)).toMatchObject({ available: eur(4_500), redeemed: eur(500) });
      const error = errorOf(() =>
        refundStoredValue(credit, after, { refundId: 'ret-2', holdId: 'h1', amount: eur(501) }, at),
      );
      expect(error.code).toBe('LIMIT_EXCEEDED');
      expect(error.message).toBe('Only €5.00 of the €20.00 spent under redemption h1 can still be refunded.');
      expect(
        refundStoredValue(credit, after, { refundId: 'ret-1', holdId: 'h1', amount: eur(1_500) }, at),
      ).toEqual([]);
      expect(
        errorOf(() =>
          refundStoredValue(credit, after, { refundId: 'ret-1', holdId: 'h1', amount: eur(1) }, at),
        ).code,
      ).toBe('CONFLICT');
    });

    it('refuses a refund of a redemption that spent nothing', () => {
      expect(
        errorOf(() => refundStoredValue(credit, issued, { refundId: 'r', holdId: 'h1', amount: eur(1) }, at))
          .code,
      ).toBe('NOT_FOUND');
    });
  });

  describe('adjustStoredValue', () => {
    it('credits and debits, never below what is available', () => {
      const debit = adjustStoredValue(
        credit,
        issued,
        { adjustmentId: 'fix-1', amount: eur(-1_000), reason: 'Typo' },
        at,
      );
      expect(storedValueBalances(credit, [...issued, ...debit]).available).toEqual(eur(4_000));
      expect(
        adjustStoredValue(
          credit,
          [...issued, ...debit],
          { adjustmentId: 'fix-1', amount: eur(-1_000), reason: 'Typo' },
          at,
        ),
      ).toEqual([]);
      expect(
        errorOf(() =>
          adjustStoredValue(
            credit,
            [...issued, ...debit],
            { adjustmentId: 'fix-1', amount: eur(-1), reason: 'x' },
            at,
          ),
        ).code,
      ).toBe('CONFLICT');
      const error = errorOf(() =>
        adjustStoredValue(credit, issued, { adjustmentId: 'fix-2', amount: eur(-5_001), reason: 'x' }, at),
      );
      expect(error.code).toBe('INSUFFICIENT_BALANCE');
      expect(error.message).toContain('€50.01 cannot be removed');
      const bonus = adjustStoredValue(
        credit,
        issued,
        { adjustmentId: 'fix-3', amount: eur(500), reason: 'Goodwill' },
        at,
      );
      expect(storedValueBalances(credit, [...issued, ...bonus]).available).toEqual(eur(5_500));
    });

    it('refuses zero, no reason and another currency', () => {
      const request = { adjustmentId: 'a', reason: 'x' };
      expect(errorOf(() => adjustStoredValue(credit, issued, { ...request, amount: eur(0) }, at)).code).toBe(
        'INVALID_INPUT',
      );
      expect(
        errorOf(() => adjustStoredValue(credit, issued, { ...request, amount: eur(1), reason: ' ' }, at))
          .code,
      ).toBe('INVALID_INPUT');
      expect(
        errorOf(() => adjustStoredValue(credit, issued, { ...request, amount: money(1, 'USD') }, at)).code,
      ).toBe('CURRENCY_MISMATCH');
    });
  });

  describe('storedValueOfflineAllowance', () => {
    const snapshot = storedValueSnapshot(
      giftCard,
      issueStoredValue(giftCard, [], { issueId: 's', amount: eur(3_000) }, T0),
      at - 2 * HOUR,
    );

    it('allows the smallest of balance left, transaction cap and device cap', () => {
      expect(snapshot).toEqual({
        accountId: 'gc-1',
        available: eur(3_000),
        held: eur(0),
        takenAt: at - 2 * HOUR,
      });
      const allowance = storedValueOfflineAllowance(giftCard, snapshot, [], settings, at);
      expect(allowance).toMatchObject({ allowed: eur(2_000), limitedBy: 'transaction_cap' });
      const used = [
        { accountId: 'gc-1', amount: eur(1_500), occurredAt: at - HOUR },
        { accountId: 'gc-9', amount: money(99_999, 'USD'), occurredAt: at - HOUR },
      ];
      expect(storedValueOfflineAllowance(giftCard, snapshot, used, settings, at)).toMatchObject({
        allowed: eur(1_500),
        limitedBy: 'balance',
      });
    });

    it('refuses a stale snapshot in the till sentence', () => {
      const stale = storedValueOfflineAllowance(
        giftCard,
        { ...snapshot, takenAt: at - 2 * DAY },
        [],
        settings,
        at,
      );
      expect(stale.allowed).toEqual(eur(0));
      expect(stale.reason).toBe('Gift card balance last checked 2 days ago; ask for another tender.');
      const error = errorOf(() => assertStoredValueOfflineAllowed(giftCard, eur(1), stale));
      expect(error.code).toBe('OFFLINE_LIMIT');
      expect(error.message).toBe(stale.reason);
    });

    it('refuses beyond the allowance and lets through what it covers', () => {
      const allowance = storedValueOfflineAllowance(giftCard, snapshot, [], settings, at);
      expect(() => assertStoredValueOfflineAllowed(giftCard, eur(2_000), allowance)).not.toThrow();
      expect(
        errorOf(() => assertStoredValueOfflineAllowed(giftCard, eur(2_001), allowance)).message,
      ).toContain('Only €20.00 can be used offline, not €20.01.');
    });

    it('refuses limits set in another currency and a snapshot of another account', () => {
      expect(
        errorOf(() =>
          storedValueOfflineAllowance({ ...giftCard, currency: 'USD' }, snapshot, [], settings, at),
        ).code,
      ).toBe('CURRENCY_MISMATCH');
      expect(errorOf(() => storedValueOfflineAllowance(credit, snapshot, [], settings, at)).code).toBe(
        'INVALID_INPUT',
      );
    });
  });

  describe('applyOfflineStoredValueRedemption', () => {
    it('applies what was spent offline, records one overdraft, and lets later credit net it', () => {
      const fromTillA = {
        redemptionId: 'a-1',
        accountId: 'sc-1',
        amount: eur(4_000),
        occurredAt: at - HOUR,
        deviceId: 'till-a',
      };
      const fromTillB = {
        redemptionId: 'b-1',
        accountId: 'sc-1',
        amount: eur(3_000),
        occurredAt: at - HOUR,
        deviceId: 'till-b',
      };
      for (const order of [
        [fromTillA, fromTillB],
        [fromTillB, fromTillA],
      ]) {
        const ledger = [...issued];
        for (const item of order)
          ledger.push(...applyOfflineStoredValueRedemption(credit, ledger, item, at).entries);
        expect(
          ledger.filter((entry) => entry.type === 'OFFLINE_OVERDRAFT').map((entry) => entry.amount),
        ).toEqual([eur(-2_000)]);
        expect(storedValueBalances(credit, ledger)).toMatchObject({
          available: eur(-2_000),
          overdraft: eur(2_000),
          redeemed: eur(7_000),
        });
        const replay = applyOfflineStoredValueRedemption(credit, ledger, fromTillA, at + DAY);
        expect(replay.entries).toEqual([]);
        const topUp = issueStoredValue(credit, ledger, { issueId: 'ret-99', amount: eur(2_500) }, at + DAY);
        expect(storedValueBalances(credit, [...ledger, ...topUp])).toMatchObject({
          available: eur(500),
          overdraft: eur(0),
        });
      }
    });

    it('reports what a replay had covered and owed', () => {
      const first = applyOfflineStoredValueRedemption(
        credit,
        issued,
        { redemptionId: 'r1', accountId: 'sc-1', amount: eur(6_000), occurredAt: at },
        at,
      );
      expect(first).toMatchObject({ covered: eur(5_000), overdraft: eur(1_000) });
      const replay = applyOfflineStoredValueRedemption(
        credit,
        [...issued, ...first.entries],
        { redemptionId: 'r1', accountId: 'sc-1', amount: eur(6_000), occurredAt: at },
        at,
      );
      expect(replay).toEqual({ entries: [], covered: eur(5_000), overdraft: eur(1_000) });
      const clean = applyOfflineStoredValueRedemption(
        credit,
        issued,
        { redemptionId: 'r2', accountId: 'sc-1', amount: eur(10), occurredAt: at },
        at,
      );
      const cleanReplay = applyOfflineStoredValueRedemption(
        credit,
        [...issued, ...clean.entries],
        { redemptionId: 'r2', accountId: 'sc-1', amount: eur(10), occurredAt: at },
        at,
      );
      expect(cleanReplay.overdraft).toEqual(eur(0));
    });

    it('refuses a redemption recorded against another account', () => {
      const error = errorOf(() =>
        applyOfflineStoredValueRedemption(
          credit,
          issued,
          { redemptionId: 'r', accountId: 'gc-1', amount: eur(1), occurredAt: at },
          at,
        ),
      );
      expect(error.code).toBe('INVALID_INPUT');
    });

    it('refuses the id of an online hold and amounts that are not positive', () => {
      const held = holdOn(credit, issued, 'h1', 100);
      expect(
        errorOf(() =>
          applyOfflineStoredValueRedemption(
            credit,
            [...issued, ...held],
            { redemptionId: 'h1', accountId: 'sc-1', amount: eur(1), occurredAt: at },
            at,
          ),
        ).code,
      ).toBe('CONFLICT');
      expect(
        errorOf(() =>
          applyOfflineStoredValueRedemption(
            credit,
            issued,
            { redemptionId: 'r', accountId: 'sc-1', amount: eur(0), occurredAt: at },
            at,
          ),
        ).code,
      ).toBe('INVALID_INPUT');
    });
  });

  describe('schemas', () => {
    it('checks entry signs and required fields', () => {
      const base = { entryId: 'e', accountId: 'sc-1', occurredAt: at };
      expect(parseStoredValueEntry({ ...base, type: 'ISSUE', amount: eur(1) }).ok).toBe(true);
      const bad = parseStoredValueEntry({ ...base, type: 'HOLD', amount: eur(1) });
      expect(bad.ok).toBe(false);
      if (!bad.ok) {
        expect(bad.error.message).toContain('HOLD amounts must be negative');
        expect(bad.error.message).toContain('HOLD needs holdId');
        expect(bad.error.message).toContain('HOLD needs expiresAt');
      }
      const overdraft = parseStoredValueEntry({
        ...base,
        type: 'OFFLINE_OVERDRAFT',
        amount: eur(-1),
        holdId: 'h',
      });
      expect(!overdraft.ok && overdraft.error.message).toContain('needs causedBy');
      const adjust = parseStoredValueEntry({ ...base, type: 'ADJUST', amount: eur(0) });
      expect(!adjust.ok && adjust.error.message).toContain('ADJUST needs a reason');
      const capture = parseStoredValueEntry({ ...base, type: 'CAPTURE', amount: eur(1), holdId: 'h' });
      expect(!capture.ok && capture.error.message).toContain('non-positive');
    });

    it('validates what a till caches and keeps offline', () => {
      const snapshot = storedValueSnapshot(credit, issued, at);
      expect(StoredValueSnapshotSchema.safeParse(snapshot).success).toBe(true);
      const redemption = {
        redemptionId: 'r1',
        accountId: 'sc-1',
        amount: eur(5),
        occurredAt: at,
        deviceId: 'till-1',
      };
      expect(OfflineStoredValueRedemptionSchema.safeParse(redemption).success).toBe(true);
      expect(OfflineStoredValueRedemptionSchema.safeParse({ ...redemption, occurredAt: -1 }).success).toBe(
        false,
      );
    });

    it('refuses a gift card number that could be a full card number', () => {
      expect(StoredValueAccountSchema.safeParse(giftCard).success).toBe(true);
      expect(
        StoredValueAccountSchema.safeParse({ ...giftCard, maskedNumber: '6011 0000 0000 0004' }).success,
      ).toBe(false);
    });

    it('checks the offline caps are in the settings currency and not negative', () => {
      expect(parseStoredValueSettings(settings).ok).toBe(true);
      const result = parseStoredValueSettings({
        ...settings,
        offline: { ...settings.offline, perTransactionCap: money(1, 'USD'), perDeviceDayCap: eur(-1) },
      });
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error.message).toContain('offline.perTransactionCap: The cap must be in EUR.');
        expect(result.error.message).toContain('offline.perDeviceDayCap: A cap cannot be negative.');
      }
    });
  });
});
