import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { errorOf } from '../test-support';
import {
  LoyaltyAccountSchema,
  LoyaltyCustomerSchema,
  mergeCustomers,
  type LoyaltyCustomer,
} from './customer';
import { T0 } from './loyalty.fixtures';

const ada: LoyaltyCustomer = {
  customerId: 'cust-ada',
  temporary: false,
  name: 'Ada Lovelace',
  phone: '+447700900123',
  email: 'ada@example.com',
  createdAt: T0,
};
const adaFamilyInbox: LoyaltyCustomer = {
  customerId: 'cust-byron',
  temporary: false,
  name: 'Lord Byron',
  email: 'ada@example.com',
  createdAt: T0 - 1_000,
};
const offline = (fields: Partial<LoyaltyCustomer>): LoyaltyCustomer => ({
  customerId: 'tmp-store7-42',
  temporary: true,
  createdAt: T0 + 5_000,
  originNode: 'store-7',
  ...fields,
});

describe('customer', () => {
  describe('LoyaltyCustomerSchema', () => {
    it('accepts normalised contact details', () => {
      expect(LoyaltyCustomerSchema.safeParse(ada).success).toBe(true);
    });

    it('refuses a phone or email that is not stored normalised', () => {
      expect(LoyaltyCustomerSchema.safeParse({ ...ada, phone: '07700 900123' }).success).toBe(false);
      expect(LoyaltyCustomerSchema.safeParse({ ...ada, email: 'Ada@Example.com' }).success).toBe(false);
    });
  });

  describe('LoyaltyAccountSchema', () => {
    const account = {
      accountId: 'acct-1',
      customerId: 'cust-ada',
      cardNumber: 'LC000123',
      tierId: 'base',
      status: 'active',
      createdAt: T0,
    };

    it('accepts an active account with a normalised card number', () => {
      expect(LoyaltyAccountSchema.safeParse(account).success).toBe(true);
    });

    it('requires mergedInto exactly when the account is merged', () => {
      expect(LoyaltyAccountSchema.safeParse({ ...account, status: 'merged' }).success).toBe(false);
      expect(LoyaltyAccountSchema.safeParse({ ...account, mergedInto: 'acct-2' }).success).toBe(false);
      expect(
        LoyaltyAccountSchema.safeParse({ ...account, status: 'merged', mergedInto: 'acct-2' }).success,
      ).toBe(true);
    });

    it('refuses a card number with spaces or lowercase letters', () => {
      expect(LoyaltyAccountSchema.safeParse({ ...account, cardNumber: 'lc 000123' }).success).toBe(false);
    });
  });

  describe('mergeCustomers', () => {
    it('makes the temporary customer permanent under its own id when nobody matches', () => {
      const temp = offline({ phone: '+447700900999', name: 'Grace' });
      const decision = mergeCustomers([ada], temp);
      expect(decision.action).toBe('promote');
      expect(decision.mapping).toEqual({ temporaryId: temp.customerId, customerId: temp.customerId });
      expect(decision.customer).toEqual({ ...temp, temporary: false });
    });

    it('merges into the customer with the same phone and fills blanks from the till', () => {
      const existing = { ...ada, email: undefined };
      const decision = mergeCustomers([existing], offline({ phone: ada.phone, email: 'ada@work.example' }));
      expect(decision.action).toBe('merge');
      expect(decision.survivingCustomerId).toBe('cust-ada');
      expect(decision.mapping).toEqual({ temporaryId: 'tmp-store7-42', customerId: 'cust-ada' });
      expect(decision.matchedBy).toEqual(['phone']);
      expect(decision.customer.email).toBe('ada@work.example');
      expect(decision.conflicts).toEqual([]);
    });

    it('keeps existing values and reports the ones it did not copy', () => {
      const decision = mergeCustomers([ada], offline({ phone: ada.phone, name: 'A. Lovelace' }));
      expect(decision.customer.name).toBe('Ada Lovelace');
      expect(decision.conflicts).toEqual([{ field: 'name', kept: 'Ada Lovelace', discarded: 'A. Lovelace' }]);
    });

    it('prefers a customer matching both keys, then a phone match over an older email match', () => {
      const both = mergeCustomers([adaFamilyInbox, ada], offline({ phone: ada.phone, email: ada.email }));
      expect(both.survivingCustomerId).toBe('cust-ada');
      expect(both.matchedBy).toEqual(['phone', 'email']);
      expect(both.otherMatches).toEqual(['cust-byron']);

      const phoneOnly = { ...ada, email: 'other@example.com' };
      const split = mergeCustomers(
        [adaFamilyInbox, phoneOnly],
        offline({ phone: ada.phone, email: ada.email }),
      );
      expect(split.survivingCustomerId).toBe('cust-ada');
      expect(split.conflicts).toContainEqual({
        field: 'email',
        kept: 'other@example.com',
        discarded: 'ada@example.com',
      });
    });

    it('breaks ties between equal matches by age, then id', () => {
      const older = { ...adaFamilyInbox, customerId: 'cust-z', createdAt: T0 - 10 };
      const sameAgeA = { ...adaFamilyInbox, customerId: 'cust-a', createdAt: T0 };
      const sameAgeB = { ...adaFamilyInbox, customerId: 'cust-b', createdAt: T0 };
      expect(
        mergeCustomers([sameAgeB, older, sameAgeA], offline({ email: ada.email })).survivingCustomerId,
      ).toBe('cust-z');
      expect(mergeCustomers([sameAgeB, sameAgeA], offline({ email: ada.email })).survivingCustomerId).toBe(
        'cust-a',
      );
    });

    it('never merges a customer with itself', () => {
      const temp = offline({ phone: ada.phone });
      expect(mergeCustomers([temp], temp).action).toBe('promote');
    });

    it('refuses to merge a customer that is not temporary', () => {
      expect(errorOf(() => mergeCustomers([ada], { ...ada, customerId: 'x' })).code).toBe('INVALID_INPUT');
    });

    it('chooses the same survivor whatever order the hub lists candidates in', () => {
      const pool: LoyaltyCustomer[] = [
        ada,
        adaFamilyInbox,
        { ...ada, customerId: 'cust-c', email: undefined, createdAt: T0 + 1 },
        { ...adaFamilyInbox, customerId: 'cust-d', createdAt: T0 - 1_000 },
      ];
      const temp = offline({ phone: ada.phone, email: ada.email });
      const expected = mergeCustomers(pool, temp).survivingCustomerId;
      fc.assert(
        fc.property(fc.shuffledSubarray(pool, { minLength: pool.length }), (shuffled) => {
          expect(mergeCustomers(shuffled, temp).survivingCustomerId).toBe(expected);
        }),
        { numRuns: 50 },
      );
    });
  });
});
