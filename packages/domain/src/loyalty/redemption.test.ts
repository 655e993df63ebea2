import { describe, expect, it } from 'vitest';
import { money } from '../money';
import { errorOf } from '../test-support';
import { balances, projectLoyaltyLedger } from './ledger';
import { ACCOUNT, DAY, T0, credited, earned, eur, programme } from './loyalty.fixtures';
import type { LoyaltyEntry } from './loyalty-entry';
import { applyOfflineRedemption } from './offline';
import {
  adjustPoints,
  captureHold,
  placeHold,
  redemptionRefundForReturn,
  releaseExpiredHolds,
  releaseHold,
} from './redemption';

const at = T0 + 40 * DAY;
const soon = credited('soon', 30, T0, 60); // expires T0 + 60 days
const late = credited('late', 500, T0, 400); // expires T0 + 400 days
const pendingSale = earned('sale-new', 100_000, at - DAY); // 1,000 points, pending until at + 29 days
const wallet: LoyaltyEntry[] = [soon, late, pendingSale];

function hold(entries: LoyaltyEntry[], holdId: string, points: number, when = at): LoyaltyEntry[] {
  return placeHold(entries, { accountId: ACCOUNT, holdId, points, sourceDoc: 'sale-9' }, programme, when)
    .entries;
}

describe('redemption', () => {
  describe('placeHold', () => {
    it('holds available points soonest-expiring first and never pending ones', () => {
      const decision = placeHold(
        wallet,
        {
          accountId: ACCOUNT,
          holdId: 'h1',
          points: 100,
          sourceDoc: 'sale-9',
          originNode: 'store-1',
          deviceId: 'till-1',
        },
        programme,
        at,
      );
      expect(decision).toEqual({
        holdId: 'h1',
        points: 100,
        expiresAt: at + programme.holdTtlMs,
        entries: [
          {
            entryId: 'hold:h1',
            accountId: ACCOUNT,
            type: 'REDEEM_HOLD',
            points: -100,
            occurredAt: at,
            sourceDoc: 'sale-9',
            originNode: 'store-1',
            deviceId: 'till-1',
            holdId: 'h1',
            expiresAt: at + programme.holdTtlMs,
            allocations: [
              { lotId: 'adjust:soon', points: 30 },
              { lotId: 'adjust:late', points: 70 },
            ],
          },
        ],
      });
      expect(balances([...wallet, ...decision.entries], at)).toMatchObject({
        available: 430,
        held: 100,
        pending: 1_000,
      });
    });

    it('refuses more than is available with a sentence that explains pending and held points', () => {
      const held = hold(wallet, 'h1', 100);
      const error = errorOf(() => hold([...wallet, ...held], 'h2', 431));
      expect(error.code).toBe('INSUFFICIENT_BALANCE');
      expect(error.message).toBe(
        'This account has 430 points available; 431 cannot be held. 1,000 more become usable once their return window has passed. 100 are held for a sale in progress.',
      );
      expect(error.details).toMatchObject({ available: 430, pending: 1_000, held: 100, requested: 431 });
    });

    it('is idempotent for the same hold and refuses the same id for another amount', () => {
      const held = hold(wallet, 'h1', 100);
      const again = placeHold(
        [...wallet, ...held],
        { accountId: ACCOUNT, holdId: 'h1', points: 100 },
        programme,
        at + 1,
      );
      expect(again).toEqual({ entries: [], holdId: 'h1', points: 100, expiresAt: at + programme.holdTtlMs });
      expect(errorOf(() => hold([...wallet, ...held], 'h1', 90)).code).toBe('CONFLICT');
    });

    it('refuses an id already used by an offline redemption', () => {
      const offline = applyOfflineRedemption(
        wallet,
        { redemptionId: 'r1', accountId: ACCOUNT, points: 10, value: eur(10), occurredAt: at },
        programme,
        at,
      ).entries;
      expect(errorOf(() => hold([...wallet, ...offline], 'r1', 10)).code).toBe('CONFLICT');
    });

    it('refuses a points count that is not a positive whole number', () => {
      for (const points of [0, -5, 1.5])
        expect(errorOf(() => hold(wallet, 'h1', points)).code).toBe('INVALID_INPUT');
    });
  });

  describe('captureHold', () => {
    const held = hold(wallet, 'h1', 100);
    const ledger = [...wallet, ...held];

    it('spends the whole hold by default', () => {
      const entries = captureHold(ledger, { accountId: ACCOUNT, holdId: 'h1', value: eur(100) }, at + 1);
      expect(entries).toEqual([
        {
          entryId: 'capture:h1',
          accountId: ACCOUNT,
          type: 'REDEEM_CAPTURE',
          points: -100,
          occurredAt: at + 1,
          sourceDoc: 'sale-9',
          holdId: 'h1',
          value: eur(100),
        },
      ]);
      expect(balances([...ledger, ...entries], at + 1)).toMatchObject({ available: 430, held: 0 });
    });

    it('releases what the sale did not use, latest-expiring first', () => {
      const entries = captureHold(
        ledger,
        { accountId: ACCOUNT, holdId: 'h1', points: 20, value: eur(20) },
        at + 1,
      );
      expect(entries.map((entry) => [entry.type, entry.points])).toEqual([
        ['REDEEM_CAPTURE', -20],
        ['REDEEM_RELEASE', 80],
      ]);
      expect(entries[1]?.allocations).toEqual([
        { lotId: 'adjust:late', points: -70 },
        { lotId: 'adjust:soon', points: -10 },
      ]);
      expect(balances([...ledger, ...entries], at + 1)).toMatchObject({ available: 510, held: 0 });
    });

    it('is idempotent and refuses a second capture for a different amount', () => {
      const entries = captureHold(ledger, { accountId: ACCOUNT, holdId: 'h1', value: eur(100) }, at + 1);
      const after = [...ledger, ...entries];
      expect(captureHold(after, { accountId: ACCOUNT, holdId: 'h1', value: eur(100) }, at + 2)).toEqual([]);
      expect(
        errorOf(() => captureHold(after, { accountId: ACCOUNT, holdId: 'h1', points: 5, value: eur(5) }, at))
          .code,
      ).toBe('CONFLICT');
    });

    it('refuses to capture a released hold and says to apply it as an offline redemption', () => {
      const released = releaseHold(
        ledger,
        { accountId: ACCOUNT, holdId: 'h1', reason: 'Sale voided' },
        at + 1,
      );
      const error = errorOf(() =>
        captureHold([...ledger, ...released], { accountId: ACCOUNT, holdId: 'h1', value: eur(100) }, at + 2),
      );
      expect(error.code).toBe('CONFLICT');
      expect(error.message).toContain('apply the sale');
    });

    it('refuses more points than were held, an unknown hold and a negative value', () => {
      const more = () =>
        captureHold(ledger, { accountId: ACCOUNT, holdId: 'h1', points: 101, value: eur(101) }, at);
      expect(errorOf(more).code).toBe('LIMIT_EXCEEDED');
      expect(
        errorOf(() => captureHold(ledger, { accountId: ACCOUNT, holdId: 'nope', value: eur(1) }, at)).code,
      ).toBe('NOT_FOUND');
      expect(
        errorOf(() => captureHold(ledger, { accountId: ACCOUNT, holdId: 'h1', value: eur(-1) }, at)).code,
      ).toBe('INVALID_INPUT');
    });
  });

  describe('releaseHold', () => {
    const held = hold(wallet, 'h1', 100);
    const ledger = [...wallet, ...held];

    it('gives every held point back to the lot it came from', () => {
      const entries = releaseHold(
        ledger,
        { accountId: ACCOUNT, holdId: 'h1', reason: ' Sale voided ', deviceId: 'till-1' },
        at + 1,
      );
      expect(entries).toEqual([
        {
          entryId: 'release:h1',
          accountId: ACCOUNT,
          type: 'REDEEM_RELEASE',
          points: 100,
          occurredAt: at + 1,
          sourceDoc: 'sale-9',
          deviceId: 'till-1',
          holdId: 'h1',
          allocations: [
            { lotId: 'adjust:late', points: -70 },
            { lotId: 'adjust:soon', points: -30 },
          ],
          reason: 'Sale voided',
        },
      ]);
      expect(balances([...ledger, ...entries], at + 1)).toEqual(balances(wallet, at + 1));
      expect(
        releaseHold([...ledger, ...entries], { accountId: ACCOUNT, holdId: 'h1', reason: 'again' }, at + 2),
      ).toEqual([]);
    });

    it('refuses to release a captured hold or without a reason', () => {
      const captured = captureHold(ledger, { accountId: ACCOUNT, holdId: 'h1', value: eur(100) }, at + 1);
      const error = errorOf(() =>
        releaseHold([...ledger, ...captured], { accountId: ACCOUNT, holdId: 'h1', reason: 'void' }, at + 2),
      );
      expect(error.code).toBe('CONFLICT');
      expect(error.message).toContain('return the sale');
      expect(
        errorOf(() => releaseHold(ledger, { accountId: ACCOUNT, holdId: 'h1', reason: '  ' }, at)).code,
      ).toBe('INVALID_INPUT');
    });
  });

  describe('releaseExpiredHolds', () => {
    it('releases only open holds whose time ran out', () => {
      const first = hold(wallet, 'h1', 10);
      const second = hold([...wallet, ...first], 'h2', 10, at + programme.holdTtlMs);
      const ledger = [...wallet, ...first, ...second];
      const due = releaseExpiredHolds(ledger, at + programme.holdTtlMs);
      expect(due.map((entry) => entry.holdId)).toEqual(['h1']);
      expect(due[0]?.reason).toBe('The hold timed out before the sale completed.');
      expect(releaseExpiredHolds([...ledger, ...due], at + programme.holdTtlMs)).toEqual([]);
      expect(releaseExpiredHolds([], at)).toEqual([]);
    });
  });

  describe('redemptionRefundForReturn', () => {
    const held = hold(wallet, 'h1', 100);
    const captured = captureHold(
      [...wallet, ...held],
      { accountId: ACCOUNT, holdId: 'h1', value: eur(100) },
      at,
    );
    const ledger = [...wallet, ...held, ...captured];
    const refund = (entries: LoyaltyEntry[], returnId: string, refundedMinor: number, when = at + DAY) =>
      redemptionRefundForReturn(
        entries,
        { accountId: ACCOUNT, returnId, holdId: 'h1', refundedValue: eur(refundedMinor) },
        when,
      );

    it('gives back points in the proportion of the points tender refunded, to the lots they came from', () => {
      const decision = refund(ledger, 'ret-1', 25);
      expect(decision.pointsRefunded).toBe(25);
      expect(decision.entries[0]).toMatchObject({
        entryId: 'refund:ret-1:h1',
        type: 'REDEMPTION_REFUND',
        points: 25,
        sourceDoc: 'ret-1',
        value: eur(25),
        allocations: [{ lotId: 'adjust:late', points: -25 }],
      });
    });

    it('gives back exactly what was spent over several partial returns', () => {
      const entries = [...ledger];
      const given = [33, 33, 34].map((refunded, index) => {
        const decision = refund(entries, `ret-${index}`, refunded);
        entries.push(...decision.entries);
        return decision.pointsRefunded;
      });
      expect(given).toEqual([33, 33, 34]);
      const view = projectLoyaltyLedger(entries, at + DAY);
      expect(view.lots.get('adjust:soon')?.remaining).toBe(30);
      expect(view.lots.get('adjust:late')?.remaining).toBe(500);
    });

    it('puts points back into an expired lot, where they stay expired', () => {
      const decision = refund(ledger, 'ret-1', 100, T0 + 70 * DAY);
      const after = [...ledger, ...decision.entries];
      // 500 from the late lot and 1,000 from the sale whose window ended; the soon lot's 30 came back expired.
      expect(balances(after, T0 + 70 * DAY)).toMatchObject({ available: 1_500, expired: 30 });
    });

    it('forgives an offline overdraft before making points spendable again', () => {
      const offline = applyOfflineRedemption(
        [soon],
        { redemptionId: 'r1', accountId: ACCOUNT, points: 50, value: eur(50), occurredAt: at },
        programme,
        at,
      ).entries;
      const entries = [soon, ...offline];
      expect(balances(entries, at)).toMatchObject({ available: -20, overdraft: 20 });
      const half = redemptionRefundForReturn(
        entries,
        { accountId: ACCOUNT, returnId: 'ret-1', holdId: 'r1', refundedValue: eur(25) },
        at + 1,
      );
      expect(half.entries[0]?.allocations).toEqual([
        { lotId: 'overdraft:capture:r1', points: -20 },
        { lotId: 'adjust:soon', points: -5 },
      ]);
      expect(balances([...entries, ...half.entries], at + 1)).toMatchObject({ available: 5, overdraft: 0 });
    });

    it('is idempotent per return', () => {
      const first = refund(ledger, 'ret-1', 50);
      expect(refund([...ledger, ...first.entries], 'ret-1', 50)).toEqual({ entries: [], pointsRefunded: 50 });
    });

    it('refuses more than the points paid, another currency and an unknown redemption', () => {
      const first = refund(ledger, 'ret-1', 60);
      const error = errorOf(() => refund([...ledger, ...first.entries], 'ret-2', 41));
      expect(error.code).toBe('LIMIT_EXCEEDED');
      expect(error.message).toContain('€0.60 already refunded');
      const usd = () =>
        redemptionRefundForReturn(
          ledger,
          { accountId: ACCOUNT, returnId: 'r', holdId: 'h1', refundedValue: money(1, 'USD') },
          at,
        );
      expect(errorOf(usd).code).toBe('CURRENCY_MISMATCH');
      expect(errorOf(() => refund(wallet, 'ret-1', 1)).code).toBe('NOT_FOUND');
    });
  });

  describe('adjustPoints', () => {
    it('credits a lot usable at once, expiring by the programme or when HQ says', () => {
      const [credit] = adjustPoints(
        wallet,
        { accountId: ACCOUNT, adjustmentId: 'goodwill-1', points: 200, reason: 'Apology' },
        programme,
        at,
      );
      expect(credit).toMatchObject({
        entryId: 'adjust:goodwill-1',
        type: 'ADJUST',
        points: 200,
        availableAt: at,
        expiresAt: at + 365 * DAY,
        reason: 'Apology',
      });
      const [custom] = adjustPoints(
        wallet,
        {
          accountId: ACCOUNT,
          adjustmentId: 'goodwill-2',
          points: 5,
          reason: 'Birthday',
          expiresAt: at + DAY,
        },
        programme,
        at,
      );
      expect(custom?.expiresAt).toBe(at + DAY);
      const [forever] = adjustPoints(
        wallet,
        { accountId: ACCOUNT, adjustmentId: 'goodwill-3', points: 5, reason: 'Birthday' },
        { ...programme, pointsExpiryDays: null },
        at,
      );
      expect(forever).not.toHaveProperty('expiresAt');
    });

    it('debits available points soonest-expiring first and refuses beyond them', () => {
      const [debit] = adjustPoints(
        wallet,
        { accountId: ACCOUNT, adjustmentId: 'fix-1', points: -40, reason: 'Duplicate earn' },
        programme,
        at,
      );
      expect(debit?.allocations).toEqual([
        { lotId: 'adjust:soon', points: 30 },
        { lotId: 'adjust:late', points: 10 },
      ]);
      const error = errorOf(() =>
        adjustPoints(
          wallet,
          { accountId: ACCOUNT, adjustmentId: 'fix-2', points: -531, reason: 'Fraud' },
          programme,
          at,
        ),
      );
      expect(error.code).toBe('INSUFFICIENT_BALANCE');
      expect(error.message).toContain('531 cannot be removed');
    });

    it('is idempotent and refuses the same id for another amount', () => {
      const entries = adjustPoints(
        wallet,
        { accountId: ACCOUNT, adjustmentId: 'g', points: 10, reason: 'x' },
        programme,
        at,
      );
      const after = [...wallet, ...entries];
      expect(
        adjustPoints(
          after,
          { accountId: ACCOUNT, adjustmentId: 'g', points: 10, reason: 'x' },
          programme,
          at,
        ),
      ).toEqual([]);
      expect(
        errorOf(() =>
          adjustPoints(
            after,
            { accountId: ACCOUNT, adjustmentId: 'g', points: 11, reason: 'x' },
            programme,
            at,
          ),
        ).code,
      ).toBe('CONFLICT');
    });

    it('refuses zero, a missing reason and a credit that expires before it is given', () => {
      const request = { accountId: ACCOUNT, adjustmentId: 'a', reason: 'x' };
      expect(errorOf(() => adjustPoints(wallet, { ...request, points: 0 }, programme, at)).code).toBe(
        'INVALID_INPUT',
      );
      expect(
        errorOf(() => adjustPoints(wallet, { ...request, points: 5, reason: ' ' }, programme, at)).code,
      ).toBe('INVALID_INPUT');
      expect(
        errorOf(() => adjustPoints(wallet, { ...request, points: 5, expiresAt: at }, programme, at)).code,
      ).toBe('INVALID_INPUT');
    });
  });
});
