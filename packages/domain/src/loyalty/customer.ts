import { z } from 'zod';
import { invalid } from '../errors';
import { normalizeCardNumber, normalizeEmail, normalizePhone } from './lookup-keys';
import { entityIdSchema, epochMsSchema } from './schema-parts';

/**
 * Customers and loyalty accounts as the hub stores them and the store replica caches them. Phone, email and
 * card numbers are stored normalised (lookup-keys.ts); the schemas refuse anything else so two spellings of
 * one number can never become two customers.
 */

const normalisedPhone = z.string().refine((value) => safeEquals(value, () => normalizePhone(value)), {
  error: 'The phone number must be stored in +<country code><digits> form.',
});
const normalisedEmail = z.string().refine((value) => safeEquals(value, () => normalizeEmail(value)), {
  error: 'The email address must be stored trimmed and in lower case.',
});
const normalisedCardNumber = z
  .string()
  .refine((value) => safeEquals(value, () => normalizeCardNumber(value)), {
    error: 'The card number must be stored as 6–32 uppercase letters or digits.',
  });

function safeEquals(value: string, normalize: () => string): boolean {
  try {
    return normalize() === value;
  } catch {
    return false;
  }
}

export const LoyaltyCustomerSchema = z.object({
  customerId: entityIdSchema,
  /**
   * Created at a till while it could not reach the hub. The hub merges it into an existing customer with
   * the same phone or email, or makes it permanent under the same id (mergeCustomers).
   */
  temporary: z.boolean(),
  name: z.string().trim().min(1).max(200).optional(),
  phone: normalisedPhone.optional(),
  email: normalisedEmail.optional(),
  createdAt: epochMsSchema,
  originNode: entityIdSchema.optional(),
});
export type LoyaltyCustomer = z.infer<typeof LoyaltyCustomerSchema>;

export const LOYALTY_ACCOUNT_STATUSES = ['active', 'blocked', 'merged'] as const;
export type LoyaltyAccountStatus = (typeof LOYALTY_ACCOUNT_STATUSES)[number];

export const LoyaltyAccountSchema = z
  .object({
    accountId: entityIdSchema,
    customerId: entityIdSchema,
    cardNumber: normalisedCardNumber,
    tierId: entityIdSchema,
    status: z.enum(LOYALTY_ACCOUNT_STATUSES),
    /** Set when `status` is `merged`: the account whose ledger now carries this one's entries. */
    mergedInto: entityIdSchema.optional(),
    createdAt: epochMsSchema,
  })
  .refine((account) => (account.status === 'merged') === (account.mergedInto !== undefined), {
    error: 'A merged account names the account it was merged into, and only a merged account does.',
    path: ['mergedInto'],
  });
export type LoyaltyAccount = z.infer<typeof LoyaltyAccountSchema>;

export type CustomerMatchField = 'phone' | 'email';

export interface CustomerFieldConflict {
  readonly field: 'name' | CustomerMatchField;
  /** Value on the surviving customer. */
  readonly kept: string;
  /** Value on the temporary customer, not copied. */
  readonly discarded: string;
}

export interface CustomerMergeDecision {
  /** `merge`: the temporary customer is the same person as an existing one; `promote`: it becomes permanent. */
  readonly action: 'merge' | 'promote';
  readonly survivingCustomerId: string;
  /** What the hub sends back to every store that may hold the temporary id. */
  readonly mapping: { readonly temporaryId: string; readonly customerId: string };
  readonly matchedBy: readonly CustomerMatchField[];
  /** The surviving customer: existing values kept, blanks filled from the temporary record. */
  readonly customer: LoyaltyCustomer;
  readonly conflicts: readonly CustomerFieldConflict[];
  /** Other existing customers sharing the phone or the email: HQ should review them as possible duplicates. */
  readonly otherMatches: readonly string[];
}

interface Candidate {
  readonly customer: LoyaltyCustomer;
  readonly matchedBy: CustomerMatchField[];
}

function rankCandidates(a: Candidate, b: Candidate): number {
  // Both keys matching is stronger evidence than one; a phone is more personal than an email (shared
  // family inboxes are common, shared mobile numbers less so); then the older record, then the id.
  if (a.matchedBy.length !== b.matchedBy.length) return b.matchedBy.length - a.matchedBy.length;
  const aPhone = a.matchedBy.includes('phone') ? 1 : 0;
  const bPhone = b.matchedBy.includes('phone') ? 1 : 0;
  if (aPhone !== bPhone) return bPhone - aPhone;
  if (a.customer.createdAt !== b.customer.createdAt) return a.customer.createdAt - b.customer.createdAt;
  return a.customer.customerId < b.customer.customerId
    ? -1
    : a.customer.customerId > b.customer.customerId
      ? 1
      : 0;
}

/**
 * Decides what happens to a customer created at a till offline. `existing` are the hub's customers that
 * share its phone or email (any others are ignored); the surviving id is chosen by normalised phone/email
 * only, never by name. Pure and deterministic: the same inputs always give the same surviving id, so a
 * retried sync cannot merge one customer two ways.
 */
export function mergeCustomers(
  existing: readonly LoyaltyCustomer[],
  temporary: LoyaltyCustomer,
): CustomerMergeDecision {
  if (!temporary.temporary) {
    throw invalid(
      'loyalty.customerNotTemporaryCustomer',
      { customerId: temporary.customerId },
      {
        customerId: temporary.customerId,
      },
    );
  }
  const phone = temporary.phone;
  const email = temporary.email;
  const candidates: Candidate[] = [];
  for (const customer of existing) {
    if (customer.customerId === temporary.customerId) continue;
    const matchedBy: CustomerMatchField[] = [];
    if (phone !== undefined && customer.phone === phone) matchedBy.push('phone');
    if (email !== undefined && customer.email === email) matchedBy.push('email');
    if (matchedBy.length > 0) candidates.push({ customer, matchedBy });
  }
  candidates.sort(rankCandidates);
  const [best, ...others] = candidates;
  if (best === undefined) {
    return {
      action: 'promote',
      survivingCustomerId: temporary.customerId,
      mapping: { temporaryId: temporary.customerId, customerId: temporary.customerId },
      matchedBy: [],
      customer: { ...temporary, temporary: false },
      conflicts: [],
      otherMatches: [],
    };
  }

  const surviving = best.customer;
  const conflicts: CustomerFieldConflict[] = [];
  const merged: LoyaltyCustomer = { ...surviving, temporary: false };
  for (const field of ['name', 'phone', 'email'] as const) {
    const kept = surviving[field];
    const offered = temporary[field];
    if (offered === undefined) continue;
    if (kept === undefined) merged[field] = offered;
    else if (kept !== offered) conflicts.push({ field, kept, discarded: offered });
  }
  return {
    action: 'merge',
    survivingCustomerId: surviving.customerId,
    mapping: { temporaryId: temporary.customerId, customerId: surviving.customerId },
    matchedBy: best.matchedBy,
    customer: merged,
    conflicts,
    otherMatches: others.map((candidate) => candidate.customer.customerId),
  };
}
