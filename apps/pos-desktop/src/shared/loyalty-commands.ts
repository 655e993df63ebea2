import { positiveAmountSchema } from '@retail/domain';
import { z } from 'zod';
import type { CommandAuth } from './roles';

/**
 * The customer, loyalty and stored-value part of the store node's command contract (issue 7). Lookups ask
 * the hub while it answers within a short timeout and fall back to this node's cache otherwise; every
 * answer says where it came from (`source`) and how old the balance is (`ageMs`), because offline the till
 * may only redeem up to what the last synced balance allows (docs/pricing-loyalty.md). Points are whole
 * points; amounts are integer minor units of the node's currency; times are ISO 8601.
 */

const id = z.string().trim().min(1).max(100);
const isoTime = z.iso.datetime({ offset: true });
const minor = z.number().int().safe();
const quantity = z.number().int().safe();

/** `hub`: the hub answered just now; `cache`: this node's last copy (offline, or the hub too slow). */
export const LOOKUP_SOURCES = ['hub', 'cache'] as const;
export type LookupSource = (typeof LOOKUP_SOURCES)[number];

/** Why offline redemption is capped where it is (domain OFFLINE_LIMIT_KINDS, plus `online` when no cap applies). */
export const REDEMPTION_LIMITS = [
  'online',
  'no_snapshot',
  'snapshot_age',
  'balance',
  'device_day_cap',
  'transaction_cap',
] as const;
export type RedemptionLimit = (typeof REDEMPTION_LIMITS)[number];

export const CustomerSummarySchema = z.object({
  customerId: id,
  /** Created at a till while the hub was unreachable; the hub may merge it into an existing customer. */
  temporary: z.boolean(),
  name: z.string().nullable(),
  /** Normalised: +<country code><digits>. */
  phone: z.string().nullable(),
  /** Normalised: trimmed, lower case. */
  email: z.string().nullable(),
  /** The customer's loyalty account, if they are a member. */
  loyalty: z
    .object({
      accountId: id,
      cardNumber: z.string(),
      tierId: z.string(),
      tierName: z.string(),
      status: z.enum(['active', 'blocked', 'merged']),
    })
    .nullable(),
});
export type CustomerSummary = z.infer<typeof CustomerSummarySchema>;

/** What the till may spend offline right now and, when it is less than the balance, the sentence why. */
export const OfflineAllowanceViewSchema = z.object({
  allowed: quantity,
  limitedBy: z.enum(REDEMPTION_LIMITS),
  reason: z.string().nullable(),
});

/** A loyalty account's balances as the till knows them, with how old that knowledge is. */
export const LoyaltyStatusSchema = z.object({
  accountId: id,
  source: z.enum(LOOKUP_SOURCES),
  /** When the hub computed the balances; the till trusts them offline only while they are young enough. */
  takenAt: isoTime,
  ageMs: quantity.min(0),
  /** Earned but still inside the return window: never redeemable. */
  pending: quantity,
  /** Redeemable now (negative only while an offline overdraft is unsettled). */
  available: quantity,
  held: quantity,
  lifetime: quantity,
  overdraft: quantity,
  nextExpiry: z.object({ at: isoTime, points: quantity }).nullable(),
  /** `points` points pay `value` minor units (rounded down). */
  pointValue: z.object({ points: quantity.positive(), value: minor.positive() }),
  /** What a points tender could take if the hub does not answer (this device's offline redemptions deducted). */
  offline: OfflineAllowanceViewSchema,
});
export type LoyaltyStatus = z.infer<typeof LoyaltyStatusSchema>;

/** A store credit or gift card account as the till knows it. Never the full number. */
export const StoredValueStatusSchema = z.object({
  accountId: id,
  kind: z.enum(['store_credit', 'gift_card']),
  maskedNumber: z.string(),
  currency: z.string(),
  status: z.enum(['active', 'blocked']),
  source: z.enum(LOOKUP_SOURCES),
  takenAt: isoTime,
  ageMs: quantity.min(0),
  available: minor,
  held: minor,
  /** Minor units the till could take offline now, and why not more. */
  offline: OfflineAllowanceViewSchema,
});
export type StoredValueStatus = z.infer<typeof StoredValueStatusSchema>;

/** The customer on a sale, with their points as the till knows them (part of SaleView). */
export const SaleCustomerSchema = z.object({
  customer: CustomerSummarySchema,
  loyalty: LoyaltyStatusSchema.nullable(),
});
export type SaleCustomer = z.infer<typeof SaleCustomerSchema>;

/** How a points, store credit or gift card payment is secured (part of SaleView tenders). */
export const TenderRedemptionSchema = z.object({
  /** `online`: the hub holds the points/value until the sale completes; `offline`: within the offline allowance. */
  mode: z.enum(['online', 'offline']),
  accountId: id,
  /** The hold (online) or redemption id (offline) the hub records the spend under. */
  redemptionId: id,
  /** When an online hold lapses if the sale is not completed; null offline. */
  expiresAt: isoTime.nullable(),
});
export type TenderRedemption = z.infer<typeof TenderRedemptionSchema>;

/** Where stored value is spent: the number keyed or scanned from the card or the store credit slip. */
export const StoredValueNumberSchema = z
  .string()
  .trim()
  .min(6, 'A card or store credit number has at least 6 characters.')
  .max(64, 'A card or store credit number has at most 64 characters.');

/** A gift card's PIN, when it has one: only the hub checks it, online. */
export const CardPinSchema = z.string().regex(/^\d{4,8}$/, 'A card PIN is 4 to 8 digits.');

/** Extra tenders for sale-add-tender (spread into its request union in commands.ts). */
export const LOYALTY_TENDER_INPUTS = [
  z
    .object({
      type: z.literal('loyalty_points'),
      /** Points to spend; they pay pointsToMoney(points) towards the sale, never more than is still due. */
      points: quantity.positive(),
    })
    .strict(),
  z
    .object({
      type: z.literal('store_credit'),
      amount: positiveAmountSchema,
      number: StoredValueNumberSchema,
      pin: CardPinSchema.optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('gift_card'),
      amount: positiveAmountSchema,
      number: StoredValueNumberSchema,
      pin: CardPinSchema.optional(),
    })
    .strict(),
] as const;

function command<Req extends z.ZodType, Res extends z.ZodType>(spec: {
  auth: CommandAuth;
  summary: string;
  request: Req;
  response: Res;
}) {
  return spec;
}

export const LOYALTY_COMMANDS = {
  'customer-find': command({
    auth: 'cashier',
    summary:
      'Find customers by phone, email or loyalty card number: the hub while it answers quickly, this node’s cache otherwise.',
    request: z.object({ query: z.string().trim().min(3).max(200) }).strict(),
    response: z.object({
      source: z.enum(LOOKUP_SOURCES),
      customers: z.array(CustomerSummarySchema),
      /** Why the answer came from the cache, for the cashier (null when the hub answered). */
      note: z.string().nullable(),
    }),
  }),
  'customer-create': command({
    auth: 'cashier',
    summary:
      'Create a customer with a phone or email (and a loyalty card number if one is handed out). Offline the customer gets a temporary id the hub later merges.',
    request: z
      .object({
        name: z.string().trim().min(1).max(200).optional(),
        phone: z.string().trim().min(1).max(40).optional(),
        email: z.string().trim().min(3).max(254).optional(),
        cardNumber: z.string().trim().min(6).max(40).optional(),
      })
      .strict()
      .refine((input) => input.phone !== undefined || input.email !== undefined, {
        message: 'Give a phone number or an email address so the customer can be found again.',
      }),
    response: z.object({ customer: CustomerSummarySchema, source: z.enum(LOOKUP_SOURCES) }),
  }),
  'customer-loyalty': command({
    auth: 'cashier',
    summary:
      'A customer’s points balance: fresh from the hub when it answers, the cached snapshot with its age otherwise.',
    request: z.object({ customerId: id }).strict(),
    response: SaleCustomerSchema,
  }),
  'stored-value-balance': command({
    auth: 'cashier',
    summary:
      'The balance of a gift card or store credit by its number: the hub when it answers, the cache otherwise.',
    request: z.object({ number: StoredValueNumberSchema, pin: CardPinSchema.optional() }).strict(),
    response: StoredValueStatusSchema,
  }),
} as const;
